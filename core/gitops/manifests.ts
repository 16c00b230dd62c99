/** The whoami manifests each cluster branch carries under deploy/ (seed 002), rendered deterministically. */
import { stringify } from 'yaml';
import type { ClusterRecord } from '../inventory/types.js';

export interface ManifestOptions {
  /** Ingress host is `NAME.<domain>`; default `local`. */
  domain?: string;
  image?: string;
  namespace?: string;
  ingressClassName?: string;
}

export const DEPLOY_DIR = 'deploy';

export function ingressHost(name: string, domain = 'local'): string {
  return `${name}.${domain}`;
}

/** path (under deploy/) → file content. */
export function renderWhoamiManifests(cluster: ClusterRecord, opts: ManifestOptions = {}): Map<string, string> {
  const namespace = opts.namespace ?? 'whoami';
  const labels = { 'app.kubernetes.io/name': 'whoami', 'app.kubernetes.io/managed-by': 'fleetdeck', 'fleetdeck.io/cluster': cluster.name };
  const selector = { 'app.kubernetes.io/name': 'whoami' };
  const meta = { name: 'whoami', namespace, labels };
  const docs: [string, unknown][] = [
    // kubectl apply -f deploy/ reads the files in name order: the namespace must come before what lives in it.
    ['00-namespace.yaml', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels } }],
    [
      'deployment.yaml',
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: meta,
        spec: {
          replicas: 1,
          selector: { matchLabels: selector },
          template: {
            metadata: { labels: { ...selector, 'fleetdeck.io/cluster': cluster.name } },
            spec: {
              containers: [
                {
                  name: 'whoami',
                  image: opts.image ?? 'traefik/whoami:v1.10',
                  args: [`--name=${cluster.name}`],
                  ports: [{ name: 'http', containerPort: 80 }],
                },
              ],
            },
          },
        },
      },
    ],
    [
      'service.yaml',
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: meta,
        spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      },
    ],
    [
      'ingress.yaml',
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: meta,
        spec: {
          ...(opts.ingressClassName ? { ingressClassName: opts.ingressClassName } : {}),
          rules: [
            {
              host: ingressHost(cluster.name, opts.domain),
              http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'whoami', port: { name: 'http' } } } }] },
            },
          ],
        },
      },
    ],
  ];
  return new Map(docs.map(([file, doc]) => [`${DEPLOY_DIR}/${file}`, stringify(doc)]));
}
