import { FleetError } from '../errors.js';
import type { KubeGateway, KubeObject } from '../kube/types.js';

export const INSTALLER_SERVICE_ACCOUNT = 'primus-lens-installer';

/**
 * The installer installs operators (CRDs, cluster roles) and storage, so it needs cluster-admin, bound to its own
 * ServiceAccount in the dataplane namespace. Each object is checked, then created only if missing; one created by a
 * concurrent worker in between (409) counts as present.
 */
export function installerAccountObjects(namespace: string, serviceAccount: string): KubeObject[] {
  const labels = { 'app.kubernetes.io/name': 'primus-lens-installer', 'app.kubernetes.io/managed-by': 'fleetdeck' };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: serviceAccount, namespace, labels } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding',
      metadata: { name: `${serviceAccount}-${namespace}`, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
    },
  ];
}

export async function ensureInstallerAccount(kube: KubeGateway, namespace: string, serviceAccount: string, signal?: AbortSignal): Promise<string[]> {
  const created: string[] = [];
  for (const object of installerAccountObjects(namespace, serviceAccount)) {
    const ref = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name!, ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}) };
    if (await kube.find(ref, signal ? { signal } : {})) continue;
    try {
      await kube.create(object, signal ? { signal } : {});
      created.push(`${object.kind}/${object.metadata.name}`);
    } catch (error) {
      if (!(error instanceof FleetError && error.code === 'CONFLICT')) throw error;
    }
  }
  return created;
}
