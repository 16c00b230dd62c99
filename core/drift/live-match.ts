/** Pure comparisons between an inventory row and what a provider reports about the running cluster. */
import type { ClusterRecord } from '../inventory/types.js';
import type { HostPortMapping, LiveCluster } from '../providers/types.js';

export interface PortPair {
  hostPort: number;
  containerPort: number;
}

/** The host → container mappings a row asks for (k3d -p / kind extraPortMappings). */
export function expectedPorts(row: ClusterRecord): PortPair[] {
  return [
    { hostPort: row.httpPort, containerPort: 80 },
    { hostPort: row.httpsPort, containerPort: 443 },
    { hostPort: row.pfPort, containerPort: row.nodePort },
  ];
}

const show = (pairs: readonly PortPair[]): string => pairs.map((p) => `${p.hostPort}→${p.containerPort}`).join(', ');

const publishes = (live: LiveCluster, hostPort: number, containerPort: number): boolean =>
  live.ports.some((p) => p.hostPort === hostPort && p.containerPort === containerPort);

/**
 * Whether the live cluster publishes every mapping the row asks for (or reports no ports at all, as a stopped
 * cluster does). Allocates nothing: the diff asks it for every row of the fleet.
 */
export function portsMatch(row: ClusterRecord, live: LiveCluster): boolean {
  return live.ports.length === 0
    || (publishes(live, row.httpPort, 80) && publishes(live, row.httpsPort, 443) && publishes(live, row.pfPort, row.nodePort));
}

/** The row's mappings the live cluster does not publish; empty when it does, or when the tool reports no ports. */
export function missingPorts(row: ClusterRecord, live: LiveCluster): PortPair[] {
  if (live.ports.length === 0) return [];
  return expectedPorts(row).filter((p) => !publishes(live, p.hostPort, p.containerPort));
}

export function describePorts(row: ClusterRecord, live: LiveCluster): string {
  const relevant = live.ports.filter((p) => [80, 443, row.nodePort].includes(p.containerPort));
  return `the row says ${show(expectedPorts(row))}; the cluster publishes ${show(relevant) || 'none of them'}`;
}

export function subnetDiffers(row: ClusterRecord, live: LiveCluster): boolean {
  return row.subnet !== null && live.subnet !== null && row.subnet !== live.subnet;
}

/** The ports a running cluster publishes, read back as row values (for adopting it or updating its row). */
export function portsFromLive(live: LiveCluster): { httpPort?: number; httpsPort?: number; pfPort?: number; nodePort?: number } {
  const byContainer = (port: number): HostPortMapping | undefined => live.ports.find((p) => p.containerPort === port);
  const node = live.ports.find((p) => p.containerPort >= 30000 && p.containerPort <= 32767);
  const http = byContainer(80);
  const https = byContainer(443);
  return {
    ...(http ? { httpPort: http.hostPort } : {}),
    ...(https ? { httpsPort: https.hostPort } : {}),
    ...(node ? { pfPort: node.hostPort, nodePort: node.containerPort } : {}),
  };
}

/**
 * Whether an ArgoCD registration's server still reaches the live cluster: the host API port (any host name: the
 * jumpbox may register 127.0.0.1, localhost or its own address), or exactly the provider's network URL.
 * Undecidable (no URL reported, or an unparseable one) counts as current.
 */
export function serverUrlCurrent(registered: string, live: LiveCluster): boolean {
  if (registered === live.networkServerUrl || !live.serverUrl) return true;
  const port = urlPort(registered);
  const actual = urlPort(live.serverUrl);
  if (port === null || actual === null || port === actual) return true;
  return live.networkServerUrl !== undefined && sameEndpoint(registered, live.networkServerUrl);
}

/** Same scheme, host and port, however written (case, a default port spelled out, a trailing slash). */
function sameEndpoint(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.protocol === y.protocol && x.hostname === y.hostname && urlPort(a) === urlPort(b);
  } catch {
    return false;
  }
}

/** scheme://host[:port] followed by a path or nothing: the common shape, read without building a URL. */
const PLAIN_URL = /^(https?):\/\/(?:\[[0-9a-fA-F:.]*\]|[^/:?#@[\]]*)(?::(\d{1,5}))?(?:[/?#]|$)/;

/** The port of a URL, defaulted by scheme; null for anything unparseable. */
export function urlPort(url: string): number | null {
  const plain = PLAIN_URL.exec(url);
  if (plain) return plain[2] !== undefined ? Number(plain[2]) : plain[1] === 'https' ? 443 : 80;
  try {
    const parsed = new URL(url);
    if (parsed.port) return Number(parsed.port);
    return parsed.protocol === 'https:' ? 443 : parsed.protocol === 'http:' ? 80 : null;
  } catch {
    return null;
  }
}
