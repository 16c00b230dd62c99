/** Renders the `kind.x-k8s.io/v1alpha4` Cluster config that publishes a cluster's inventory ports on the host. */
import { stringify } from 'yaml';
import type { ClusterRecord } from '../inventory/types.js';
import type { CreateClusterOptions } from './types.js';

export function renderKindConfig(cluster: ClusterRecord, opts: CreateClusterOptions = {}): string {
  const networking: Record<string, unknown> = { apiServerAddress: '127.0.0.1' };
  if (opts.apiPort !== undefined) networking.apiServerPort = opts.apiPort;
  const config = {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name: cluster.name,
    networking,
    nodes: [
      {
        role: 'control-plane',
        extraPortMappings: [
          { containerPort: 80, hostPort: cluster.httpPort, protocol: 'TCP' },
          { containerPort: 443, hostPort: cluster.httpsPort, protocol: 'TCP' },
          { containerPort: cluster.nodePort, hostPort: cluster.pfPort, protocol: 'TCP' },
        ],
      },
    ],
  };
  return stringify(config);
}
