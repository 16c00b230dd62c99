/** Clusternet's apps.clusternet.io CRDs, created in a sandbox cluster so Localization and Subscription actions work. */
import { FleetError } from '../../../core/errors.js';
import type { KubeGateway, KubeObject } from '../../../core/kube/types.js';

const KINDS: { kind: string; plural: string; scope: 'Namespaced' | 'Cluster' }[] = [
  { kind: 'Localization', plural: 'localizations', scope: 'Namespaced' },
  { kind: 'Globalization', plural: 'globalizations', scope: 'Cluster' },
  { kind: 'Subscription', plural: 'subscriptions', scope: 'Namespaced' },
  { kind: 'HelmChart', plural: 'helmcharts', scope: 'Namespaced' },
];

export function clusternetCrd(kind: string, plural: string, scope: 'Namespaced' | 'Cluster'): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.apps.clusternet.io` },
    spec: {
      group: 'apps.clusternet.io', scope,
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [{ name: 'v1alpha1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } }, subresources: { status: {} } }],
    },
  };
}

/** Creates the CRDs that are missing (idempotent). */
export async function ensureClusternetCrds(kube: KubeGateway): Promise<void> {
  for (const { kind, plural, scope } of KINDS) {
    const crd = clusternetCrd(kind, plural, scope);
    const existing = await kube.find({ apiVersion: crd.apiVersion, kind: crd.kind, name: crd.metadata.name! });
    if (existing) continue;
    try {
      await kube.create(crd);
    } catch (error) {
      if (!(error instanceof FleetError && error.code === 'CONFLICT')) throw error;
    }
  }
}
