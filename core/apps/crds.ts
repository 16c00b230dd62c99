import type { KubeObject } from '../kube/types.js';
import { MIDDLEWARE_GROUP } from './model.js';
import type { MiddlewareKind } from './model.js';

function crd(kind: MiddlewareKind, plural: string, shortNames: string[]): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${MIDDLEWARE_GROUP}` },
    spec: {
      group: MIDDLEWARE_GROUP,
      scope: 'Namespaced',
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames, categories: ['middleware'] },
      // No status subresource: fleetdeck writes status with a merge patch on the object, as one controller does.
      versions: [{
        name: 'v1alpha1', served: true, storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      }],
    },
  };
}

/** The three CustomResourceDefinitions of the middleware platform, in creation order. */
export const MIDDLEWARE_CRDS: readonly KubeObject[] = [
  crd('App', 'apps', ['mwapp']),
  crd('Component', 'components', ['mwc']),
  crd('Group', 'groups', ['mwg']),
];
