/**
 * DR plans and workflows that live as custom resources (`dr.bkbcs.tencent.com/v1alpha1` DRPlan, DRWorkflow) in a
 * cluster, read through the KubeGateway (client-node) and validated with the same schema as files and stored plans.
 * A cluster without the DR CRDs simply has none; an invalid resource is reported, not fatal to the rest.
 */
import { FleetError, errorMessage } from '../../errors.js';
import type { KubeGateway, KubeObject } from '../../kube/types.js';
import { DRValidationError } from '../schema/issues.js';
import { DR_API_VERSION, type DRPlan, type DRWorkflow } from '../schema/types.js';
import { validatePlan, validateWorkflow } from '../schema/validate.js';

export interface InvalidResource {
  source: string;
  kind: 'DRPlan' | 'DRWorkflow';
  namespace: string;
  name: string;
  message: string;
}

export interface ClusterResources {
  plans: DRPlan[];
  workflows: DRWorkflow[];
  invalid: InvalidResource[];
}

/** The label a cluster source has in listings and in qualified plan names (`cluster/devops:default/failover`). */
export function clusterSource(cluster: string): string {
  return `cluster/${cluster}`;
}

/** The resource as a document: what the API server adds (status, managedFields, kubectl's last-applied copy) left out. */
export function documentOf(object: KubeObject): Record<string, unknown> {
  const { status: _status, ...rest } = object;
  const meta = object.metadata;
  const annotations = Object.fromEntries(Object.entries(meta.annotations ?? {}).filter(([k]) => k !== 'kubectl.kubernetes.io/last-applied-configuration'));
  return {
    ...rest,
    metadata: {
      name: meta.name, ...(meta.namespace ? { namespace: meta.namespace } : {}),
      ...(meta.labels ? { labels: meta.labels } : {}), ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      ...(meta.uid ? { uid: meta.uid } : {}), ...(meta.resourceVersion ? { resourceVersion: meta.resourceVersion } : {}),
      ...(meta.generation !== undefined ? { generation: meta.generation } : {}),
    },
  };
}

async function listKind(kube: KubeGateway, kind: 'DRPlan' | 'DRWorkflow'): Promise<KubeObject[]> {
  try {
    return (await kube.list(DR_API_VERSION, kind)).items;
  } catch (error) {
    // The cluster does not serve the DR CRDs: it holds no plans.
    if (error instanceof FleetError && error.code === 'NOT_FOUND') return [];
    throw error;
  }
}

export async function readClusterResources(kube: KubeGateway, cluster: string): Promise<ClusterResources> {
  const source = clusterSource(cluster);
  const [planObjects, workflowObjects] = await Promise.all([listKind(kube, 'DRPlan'), listKind(kube, 'DRWorkflow')]);
  const out: ClusterResources = { plans: [], workflows: [], invalid: [] };
  const take = <T>(object: KubeObject, kind: 'DRPlan' | 'DRWorkflow', validate: (doc: unknown, where: string) => T, into: T[]): void => {
    const where = `${source} ${object.metadata.namespace ?? 'default'}/${object.metadata.name ?? '?'}`;
    try {
      into.push(validate({ ...documentOf(object), apiVersion: DR_API_VERSION, kind }, where));
    } catch (error) {
      if (!(error instanceof DRValidationError)) throw error;
      out.invalid.push({ source, kind, namespace: object.metadata.namespace ?? 'default', name: object.metadata.name ?? '?', message: errorMessage(error) });
    }
  };
  for (const o of planObjects) take(o, 'DRPlan', validatePlan, out.plans);
  for (const o of workflowObjects) take(o, 'DRWorkflow', validateWorkflow, out.workflows);
  return out;
}
