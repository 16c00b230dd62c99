/**
 * BCS's DR CRDs (dr.bkbcs.tencent.com/v1alpha1: DRPlan, DRWorkflow, DRPlanExecution), created in a sandbox cluster so
 * plans can live there as custom resources, as with BCS's bcs-drplan-controller. The schema preserves unknown fields:
 * fleetdeck validates the resources itself, with the same rules as for files, when it reads them.
 */
import { FleetError } from '../../../core/errors.js';
import type { KubeGateway, KubeObject } from '../../../core/kube/types.js';

const KINDS = [
  { kind: 'DRPlan', plural: 'drplans', shortNames: ['drp'] },
  { kind: 'DRWorkflow', plural: 'drworkflows', shortNames: ['drwf'] },
  { kind: 'DRPlanExecution', plural: 'drplanexecutions', shortNames: ['drpe'] },
] as const;

export function drCrd(kind: string, plural: string, shortNames: readonly string[]): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.dr.bkbcs.tencent.com` },
    spec: {
      group: 'dr.bkbcs.tencent.com', scope: 'Namespaced',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List`, shortNames: [...shortNames] },
      versions: [{ name: 'v1alpha1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } }, subresources: { status: {} } }],
    },
  };
}

/** Creates the DR CRDs that are missing (idempotent). */
export async function ensureDrCrds(kube: KubeGateway): Promise<void> {
  for (const { kind, plural, shortNames } of KINDS) {
    const crd = drCrd(kind, plural, shortNames);
    if (await kube.find({ apiVersion: crd.apiVersion, kind: crd.kind, name: crd.metadata.name! })) continue;
    try {
      await kube.create(crd);
    } catch (error) {
      if (!(error instanceof FleetError && error.code === 'CONFLICT')) throw error;
    }
  }
}
