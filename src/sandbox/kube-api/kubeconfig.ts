/** Kubeconfig YAML that points kubectl and client-node at sandbox clusters. */
import { stringify } from 'yaml';

export interface KubeconfigEntry {
  /** Context name, e.g. `k3d-dev` or `kind-uat`. */
  context: string;
  /** The cluster's base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Bearer token, when the cluster requires one. */
  token?: string;
  namespace?: string;
}

export function kubeconfigFor(entries: readonly KubeconfigEntry[], currentContext?: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    // client-node refuses plain http unless TLS verification is declared off; there is no TLS to verify anyway.
    clusters: entries.map((e) => ({ name: e.context, cluster: { server: e.url, ...(e.url.startsWith('http:') ? { 'insecure-skip-tls-verify': true } : {}) } })),
    users: entries.map((e) => ({ name: e.context, user: e.token === undefined ? {} : { token: e.token } })),
    contexts: entries.map((e) => ({ name: e.context, context: { cluster: e.context, user: e.context, ...(e.namespace === undefined ? {} : { namespace: e.namespace }) } })),
    'current-context': currentContext ?? entries[0]?.context ?? '',
  });
}
