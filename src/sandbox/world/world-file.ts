import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterRecord, Provider } from '../../../core/inventory/types.js';
import { withFileLock } from '../../../core/gitops/file-lock.js';
import { kubeconfigFor } from '../kube-api/kubeconfig.js';

/** One sandbox cluster: its API server keeps the same port whichever process hosts it. */
export interface WorldCluster {
  name: string;
  provider: Provider;
  port: number;
  /** The inventory row it was created from; what it "runs with" (ports, subnet) for drift. */
  record: ClusterRecord | null;
  /** Set when the cluster is created: a cluster deleted and created again under its name gets another. */
  id?: string;
  /** A stopped cluster: listed, its objects kept, but no API server serves it until it is started again. */
  stopped?: boolean;
}

export interface WorldFile {
  version: 1;
  management: WorldCluster;
  clusters: WorldCluster[];
  portainerPort: number;
  seeded: boolean;
}

export const MANAGEMENT_CLUSTER = 'devops';

export interface WorldLayout {
  root: string;
  worldFile: string;
  lockFile: string;
  clusterStateDir: string;
  kubeconfig: string;
  gitRemote: string;
  gitCache: string;
  haproxyConfig: string;
  portainerState: string;
}

export function worldLayout(dataDir: string): WorldLayout {
  const root = join(dataDir, 'sandbox');
  return {
    root,
    worldFile: join(root, 'world.json'),
    lockFile: join(root, 'world.lock'),
    clusterStateDir: join(root, 'clusters'),
    kubeconfig: join(root, 'kubeconfig'),
    gitRemote: join(root, 'git', 'fleet.git'),
    gitCache: join(root, 'git', 'cache'),
    haproxyConfig: join(root, 'haproxy', 'haproxy.cfg'),
    portainerState: join(root, 'portainer.json'),
  };
}

export function readWorld(layout: WorldLayout): WorldFile | null {
  if (!existsSync(layout.worldFile)) return null;
  return JSON.parse(readFileSync(layout.worldFile, 'utf8')) as WorldFile;
}

export function contextOf(cluster: Pick<WorldCluster, 'name' | 'provider'>): string {
  return `${cluster.provider}-${cluster.name}`;
}

/** Where a sandbox cluster's API server answers: plain HTTP on loopback. */
export function serverUrlOf(cluster: Pick<WorldCluster, 'port'>): string {
  return `http://127.0.0.1:${cluster.port}`;
}

/** Every cluster of the world, the management cluster first. */
export function worldClusters(world: WorldFile): WorldCluster[] {
  return [world.management, ...world.clusters];
}

/** A recorded port that something else held, and the port the sandbox took instead. */
export interface PortMove {
  /** The cluster's name, or `portainer` for the loopback Portainer. */
  name: string;
  what: 'cluster' | 'portainer';
  from: number;
  to: number;
}

/** The world with the moves applied; an entry already changed by another process is left as it is. */
export function withPortsMoved(world: WorldFile, moves: readonly PortMove[]): WorldFile {
  const move = (cluster: WorldCluster): WorldCluster => {
    const found = moves.find((m) => m.what === 'cluster' && m.name === cluster.name && m.from === cluster.port);
    return found ? { ...cluster, port: found.to } : cluster;
  };
  const portainer = moves.find((m) => m.what === 'portainer' && m.from === world.portainerPort);
  return { ...world, management: move(world.management), clusters: world.clusters.map(move), portainerPort: portainer?.to ?? world.portainerPort };
}

function writeWorld(layout: WorldLayout, world: WorldFile): void {
  mkdirSync(layout.root, { recursive: true });
  writeFileSync(`${layout.worldFile}.tmp`, JSON.stringify(world, null, 2));
  renameSync(`${layout.worldFile}.tmp`, layout.worldFile);
  const entries = worldClusters(world).map((c) => ({ context: contextOf(c), url: serverUrlOf(c) }));
  writeFileSync(`${layout.kubeconfig}.tmp`, kubeconfigFor(entries, contextOf(world.management)));
  renameSync(`${layout.kubeconfig}.tmp`, layout.kubeconfig);
}

/** Read-modify-write of world.json under a lock file; the kubeconfig is rewritten with it. */
export async function updateWorld(layout: WorldLayout, change: (world: WorldFile | null) => WorldFile): Promise<WorldFile> {
  mkdirSync(layout.root, { recursive: true });
  return withFileLock(layout.lockFile, async () => {
    const next = change(readWorld(layout));
    writeWorld(layout, next);
    return next;
  });
}
