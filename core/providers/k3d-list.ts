/** Parses `k3d cluster list -o json` (k3d v5: an array of clusters with nodes, network and server counts). */
import { FleetError } from '../errors.js';
import type { HostPortMapping, LiveCluster, LiveStatus } from './types.js';

interface K3dPortBinding {
  HostIp?: string;
  HostPort?: string;
}
interface K3dNode {
  name?: string;
  role?: string;
  portMappings?: Record<string, K3dPortBinding[] | null> | null;
  State?: { Running?: boolean; Status?: string };
}
interface K3dCluster {
  name?: string;
  network?: { name?: string; ipam?: { ipPrefix?: string } };
  nodes?: K3dNode[] | null;
  kubeAPI?: { Binding?: K3dPortBinding; host?: string } | null;
  serversCount?: number;
  serversRunning?: number;
}

/** Where containers on the cluster's Docker network reach its API server: k3d's load balancer in front of the servers. */
export function k3dNetworkServerUrl(name: string): string {
  return `https://k3d-${name}-serverlb:6443`;
}

export function parseK3dClusterList(stdout: string): LiveCluster[] {
  const text = stdout.trim();
  if (text === '' || text === 'null') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new FleetError('EXTERNAL', 'k3d cluster list -o json printed something that is not JSON', 'Check the installed k3d version (fleetdeck expects k3d v5).');
  }
  if (!Array.isArray(parsed)) {
    throw new FleetError('EXTERNAL', 'k3d cluster list -o json did not print an array', 'Check the installed k3d version (fleetdeck expects k3d v5).');
  }
  const live: LiveCluster[] = [];
  for (const cluster of parsed as K3dCluster[]) if (typeof cluster.name === 'string' && cluster.name !== '') live.push(toLiveCluster(cluster));
  return live;
}

/**
 * One cluster of the list. Written as plain loops: drift reads 10,000 clusters in one list, and beyond the
 * JSON.parse itself the array and key-string building of filter/flatMap/Set took as long again.
 */
function toLiveCluster(cluster: K3dCluster): LiveCluster {
  const nodes = cluster.nodes ?? [];
  let servers = 0;
  let serversUp = 0;
  let balancers = 0;
  for (const node of nodes) {
    if (node.role === 'server') {
      servers += 1;
      if (node.State?.Running === true) serversUp += 1;
    } else if (node.role === 'loadbalancer') {
      balancers += 1;
    }
  }
  const total = cluster.serversCount ?? servers;
  const running = cluster.serversRunning ?? serversUp;
  // The load balancer publishes the cluster's ports; without one, the servers do.
  const publishing = balancers > 0 ? 'loadbalancer' : 'server';
  const ports: HostPortMapping[] = [];
  for (const node of nodes) if (node.role === publishing) addPorts(node.portMappings, ports);
  const name = cluster.name ?? '';
  return {
    name,
    provider: 'k3d',
    status: statusOf(running, total),
    serverUrl: serverUrlOf(cluster, ports),
    networkServerUrl: k3dNetworkServerUrl(name),
    ports: dedupe(ports),
    subnet: nonEmpty(cluster.network?.ipam?.ipPrefix),
    network: nonEmpty(cluster.network?.name),
  };
}

function statusOf(running: number, total: number): LiveStatus {
  if (total === 0) return 'unknown';
  if (running === total) return 'running';
  return running === 0 ? 'stopped' : 'degraded';
}

function addPorts(mappings: K3dNode['portMappings'], out: HostPortMapping[]): void {
  if (!mappings) return;
  for (const key of Object.keys(mappings)) {
    const bindings = mappings[key];
    if (!bindings) continue;
    const [port, proto] = key.split('/');
    const containerPort = Number(port);
    if (!Number.isInteger(containerPort)) continue;
    const protocol = proto === 'udp' ? 'udp' : 'tcp';
    for (const binding of bindings) {
      const hostPort = Number(binding.HostPort);
      if (!Number.isInteger(hostPort) || hostPort <= 0) continue;
      out.push({ hostPort, containerPort, protocol, hostIp: nonEmpty(binding.HostIp) });
    }
  }
}

function serverUrlOf(cluster: K3dCluster, ports: HostPortMapping[]): string | null {
  const apiPort = Number(cluster.kubeAPI?.Binding?.HostPort) || ports.find((p) => p.containerPort === 6443)?.hostPort;
  if (!apiPort) return null;
  const host = cluster.kubeAPI?.Binding?.HostIp ?? '0.0.0.0';
  return `https://${host === '0.0.0.0' || host === '' ? '127.0.0.1' : host}:${apiPort}`;
}

/** A cluster publishes a handful of ports: a linear search is cheaper than a key string per port. */
function dedupe(ports: HostPortMapping[]): HostPortMapping[] {
  const unique: HostPortMapping[] = [];
  for (const p of ports) {
    if (!unique.some((q) => q.hostPort === p.hostPort && q.protocol === p.protocol && q.hostIp === p.hostIp)) unique.push(p);
  }
  return unique.sort((a, b) => a.hostPort - b.hostPort);
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}
