/**
 * kind keeps no state of its own: a cluster is the set of Docker containers labelled `io.x-k8s.kind.cluster=NAME`
 * (`kind get clusters` reads the same labels). One `docker ps -a --filter label=io.x-k8s.kind.cluster --format
 * '{{json .}}'` therefore lists every kind cluster with its nodes' state and published ports; this parses it.
 * Docker prints one JSON object a line, with `Labels` as "k=v,k=v" and `Ports` as "0.0.0.0:20001->80/tcp, …".
 * Without a Docker CLI (kind on podman or nerdctl), `kind get clusters` still names the clusters.
 */
import { FleetError } from '../errors.js';
import type { HostPortMapping, LiveCluster, LiveStatus } from './types.js';

export const KIND_CLUSTER_LABEL = 'io.x-k8s.kind.cluster';
const ROLE_LABEL = 'io.x-k8s.kind.role';
/** The API server's port inside the control-plane (or external load balancer) container. */
const API_SERVER_PORT = 6443;

/** argv of the one Docker call that lists every kind node. */
export const KIND_NODES_ARGS: readonly string[] = ['ps', '-a', '--filter', `label=${KIND_CLUSTER_LABEL}`, '--format', '{{json .}}'];

/** argv of the Docker call that lists one kind cluster's node containers, running or not. */
export function kindClusterNodesArgs(name: string): string[] {
  return ['ps', '-a', '--filter', `label=${KIND_CLUSTER_LABEL}=${name}`, '--format', '{{json .}}'];
}

/** Start order of kind's node roles: the control plane first, then its load balancer (HA clusters), then workers. */
const START_ORDER: Record<string, number> = { 'control-plane': 0, 'external-load-balancer': 1, worker: 2 };

/**
 * The node containers of `cluster` in a `docker ps --format '{{json .}}'` output, in the order they are started:
 * `NAME-control-plane` (and any further control planes), the external load balancer, the workers.
 */
export function kindNodeContainers(stdout: string, cluster: string): string[] {
  const nodes: { name: string; order: number }[] = [];
  for (const line of stdout.split('\n')) {
    const node = parseLine(line);
    if (!node || node.cluster !== cluster || !node.name) continue;
    nodes.push({ name: node.name, order: START_ORDER[node.role] ?? 3 });
  }
  return nodes.sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((n) => n.name);
}

interface DockerPsLine {
  Names?: string;
  Labels?: string;
  Ports?: string;
  State?: string;
  Networks?: string;
}

interface KindNode {
  cluster: string;
  /** The container's name, e.g. `prod-control-plane`. */
  name: string;
  role: string;
  running: boolean;
  ports: HostPortMapping[];
  network: string | null;
}

/**
 * Where containers on Docker's `kind` network reach a cluster's API server: its (first) control-plane container, as
 * kind's own `get kubeconfig --internal` names it.
 */
export function kindNetworkServerUrl(name: string): string {
  return `https://${name}-control-plane:${API_SERVER_PORT}`;
}

/**
 * `kind get clusters`: one name a line ("No kind clusters found." when there are none). kind's own listing has no
 * state, ports or API server, so the clusters are `unknown` and drift checks only that they exist.
 */
export function parseKindClusterNames(stdout: string): LiveCluster[] {
  return stdout.split('\n').map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('No kind clusters found'))
    .map((name) => ({ name, provider: 'kind' as const, status: 'unknown' as const, serverUrl: null, ports: [], subnet: null, network: null }));
}

export function parseKindNodes(stdout: string): LiveCluster[] {
  const byCluster = new Map<string, KindNode[]>();
  let start = 0;
  while (start < stdout.length) {
    let end = stdout.indexOf('\n', start);
    if (end < 0) end = stdout.length;
    const node = parseLine(stdout.slice(start, end));
    start = end + 1;
    if (!node) continue;
    const nodes = byCluster.get(node.cluster);
    if (nodes) nodes.push(node);
    else byCluster.set(node.cluster, [node]);
  }
  return [...byCluster].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, nodes]) => toLiveCluster(name, nodes));
}

function parseLine(line: string): KindNode | null {
  const text = line.trim();
  if (text === '') return null;
  let parsed: DockerPsLine;
  try {
    parsed = JSON.parse(text) as DockerPsLine;
  } catch {
    throw new FleetError('EXTERNAL', 'docker ps --format \'{{json .}}\' printed a line that is not JSON', 'Check the installed Docker CLI (fleetdeck expects Docker 20.10 or newer).');
  }
  const labels = parsed.Labels ?? '';
  const cluster = labelValue(labels, KIND_CLUSTER_LABEL);
  if (!cluster) return null;
  return {
    cluster,
    name: parsed.Names?.split(',')[0] ?? '',
    role: labelValue(labels, ROLE_LABEL) ?? '',
    running: parsed.State === 'running',
    ports: parsePorts(parsed.Ports ?? ''),
    network: parsed.Networks ? parsed.Networks.split(',')[0]!.trim() || null : null,
  };
}

/** One label of Docker's "k=v,k=v" text, without splitting all of it (kind's names and roles hold no commas). */
function labelValue(text: string, key: string): string | null {
  let at = text.startsWith(`${key}=`) ? 0 : text.indexOf(`,${key}=`);
  if (at < 0) return null;
  if (at > 0 || text.charCodeAt(0) === 44) at += 1;
  const from = at + key.length + 1;
  const end = text.indexOf(',', from);
  return text.slice(from, end < 0 ? text.length : end);
}

/** Docker joins labels with commas; a value may hold a comma itself, so a piece without "=" belongs to the value before. */
export function parseLabels(text: string): Map<string, string> {
  const labels = new Map<string, string>();
  let last: string | null = null;
  for (const piece of text.split(',')) {
    const eq = piece.indexOf('=');
    if (eq <= 0) {
      if (last !== null) labels.set(last, `${labels.get(last)!},${piece}`);
      continue;
    }
    last = piece.slice(0, eq);
    labels.set(last, piece.slice(eq + 1));
  }
  return labels;
}

/**
 * "0.0.0.0:20001->80/tcp, :::20001->80/tcp, 127.0.0.1:41234->6443/tcp, 0.0.0.0:8000-8001->8000-8001/tcp, 9000/tcp".
 * Exposed but unpublished ports ("9000/tcp") are skipped; IPv4 and IPv6 bindings of one port count once.
 * Scanned by hand rather than split into arrays: a fleet's `docker ps` has tens of thousands of these.
 */
export function parsePorts(text: string): HostPortMapping[] {
  const out: HostPortMapping[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf(',', start);
    if (end < 0) end = text.length;
    addBinding(text, start, end, out);
    start = end + 1;
  }
  return out.length > 1 ? out.sort((a, b) => a.hostPort - b.hostPort) : out;
}

/** One "HOST_IP:HOST_PORT->CONTAINER_PORT/PROTO" entry of `text` between `from` and `to`, ranges expanded. */
function addBinding(text: string, from: number, to: number, out: HostPortMapping[]): void {
  const arrow = text.indexOf('->', from);
  if (arrow < 0 || arrow >= to) return;
  const colon = text.lastIndexOf(':', arrow);
  const hostStart = colon >= from ? colon + 1 : from;
  let ipFrom = from;
  while (ipFrom < hostStart && text.charCodeAt(ipFrom) === 32) ipFrom += 1;
  const slash = text.indexOf('/', arrow);
  const containerEnd = slash >= 0 && slash < to ? slash : to;
  const protocol = containerEnd < to && text.startsWith('udp', containerEnd + 1) ? 'udp' : 'tcp';
  const hostPorts = portRange(text, hostStart, arrow);
  const containerPorts = portRange(text, arrow + 2, containerEnd);
  if (!hostPorts || !containerPorts || hostPorts[1] - hostPorts[0] !== containerPorts[1] - containerPorts[0]) return;
  let hostIp: string | null = colon >= from && colon > ipFrom ? text.slice(ipFrom, colon) : null;
  if (hostIp !== null && hostIp.charCodeAt(0) === 91) hostIp = hostIp.slice(1, -1); // [::]
  if (hostIp === '::') hostIp = '0.0.0.0';
  for (let offset = 0; offset <= hostPorts[1] - hostPorts[0]; offset += 1) {
    const hostPort = hostPorts[0] + offset;
    const containerPort = containerPorts[0] + offset;
    if (out.some((p) => p.hostPort === hostPort && p.containerPort === containerPort && p.protocol === protocol)) continue;
    out.push({ hostPort, containerPort, protocol, hostIp });
  }
}

/** "20001" or "8000-8001" between `from` and `to` as [first, last]; null when it is not a port or a range. */
function portRange(text: string, from: number, to: number): [number, number] | null {
  let first = 0;
  let last = -1;
  let value = 0;
  let digits = 0;
  for (let i = from; i < to; i += 1) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits += 1;
    } else if (c === 45 && last < 0 && digits > 0) {
      first = value;
      last = 0;
      value = 0;
      digits = 0;
    } else {
      return null;
    }
  }
  if (digits === 0 || value <= 0) return null;
  if (last < 0) return [value, value];
  return value >= first && first > 0 ? [first, value] : null;
}

function toLiveCluster(name: string, nodes: KindNode[]): LiveCluster {
  const controlPlanes = nodes.filter((n) => n.role === 'control-plane');
  const balancer = nodes.find((n) => n.role === 'external-load-balancer');
  const api = (balancer ?? controlPlanes[0])?.ports.find((p) => p.containerPort === API_SERVER_PORT);
  const published = controlPlanes.flatMap((n) => n.ports);
  return {
    name,
    provider: 'kind',
    status: statusOf(nodes),
    serverUrl: api ? `https://${api.hostIp === null || api.hostIp === '0.0.0.0' ? '127.0.0.1' : api.hostIp}:${api.hostPort}` : null,
    networkServerUrl: kindNetworkServerUrl(name),
    ports: published,
    // kind clusters share Docker's "kind" network; no subnet of their own.
    subnet: null,
    network: nodes[0]?.network ?? null,
  };
}

function statusOf(nodes: KindNode[]): LiveStatus {
  const running = nodes.filter((n) => n.running).length;
  if (nodes.length === 0) return 'unknown';
  if (running === nodes.length) return 'running';
  return running === 0 ? 'stopped' : 'degraded';
}
