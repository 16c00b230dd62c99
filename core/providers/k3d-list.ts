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
  return (parsed as K3dCluster[]).filter((c) => typeof c.name === 'string' && c.name !== '').map(toLiveCluster);
}

function toLiveCluster(cluster: K3dCluster): LiveCluster {
  const nodes = cluster.nodes ?? [];
  const servers = nodes.filter((n) => n.role === 'server');
  const total = cluster.serversCount ?? servers.length;
  const running = cluster.serversRunning ?? servers.filter((n) => n.State?.Running === true).length;
  const lb = nodes.filter((n) => n.role === 'loadbalancer');
  const published = lb.length > 0 ? lb : servers;
  const ports = published.flatMap((n) => portsOf(n.portMappings));
  return {
    name: cluster.name ?? '',
    provider: 'k3d',
    status: statusOf(running, total),
    serverUrl: serverUrlOf(cluster, ports),
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

function portsOf(mappings: K3dNode['portMappings']): HostPortMapping[] {
  const out: HostPortMapping[] = [];
  for (const [key, bindings] of Object.entries(mappings ?? {})) {
    const [port, proto] = key.split('/');
    const containerPort = Number(port);
    if (!Number.isInteger(containerPort)) continue;
    for (const binding of bindings ?? []) {
      const hostPort = Number(binding.HostPort);
      if (!Number.isInteger(hostPort) || hostPort <= 0) continue;
      out.push({ hostPort, containerPort, protocol: proto === 'udp' ? 'udp' : 'tcp', hostIp: nonEmpty(binding.HostIp) });
    }
  }
  return out;
}

function serverUrlOf(cluster: K3dCluster, ports: HostPortMapping[]): string | null {
  const apiPort = Number(cluster.kubeAPI?.Binding?.HostPort) || ports.find((p) => p.containerPort === 6443)?.hostPort;
  if (!apiPort) return null;
  const host = cluster.kubeAPI?.Binding?.HostIp ?? '0.0.0.0';
  return `https://${host === '0.0.0.0' || host === '' ? '127.0.0.1' : host}:${apiPort}`;
}

function dedupe(ports: HostPortMapping[]): HostPortMapping[] {
  const seen = new Set<string>();
  return ports
    .filter((p) => {
      const key = `${p.hostIp ?? ''}:${p.hostPort}/${p.protocol}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.hostPort - b.hostPort);
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}
