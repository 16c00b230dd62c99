import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { FleetError } from '../../../core/errors.js';
import type { Fleet } from '../../../core/fleet.js';
import type { KubeGateway } from '../../../core/kube/types.js';
import { SandboxProvider } from '../../../core/providers/sandbox-provider.js';
import { ArgoCdRegistrar } from '../../../core/registrars/argocd-registrar.js';
import { KubeSecretsApi } from '../../../core/registrars/kube-secrets-api.js';
import { PortainerRegistrar } from '../../../core/registrars/portainer-registrar.js';
import { WorldClusterBackend, recordedUrl, waitUntilServing } from './cluster-backend.js';
import { freePort } from './free-port.js';
import { ensureBareRemote } from './git-remote.js';
import { SANDBOX_PORTAINER_KEY, SandboxHost } from './host.js';
import { lazyGateway, lazyGit, lazyRegistrar } from './lazy-adapters.js';
import type { WorldCluster, WorldFile, WorldLayout } from './world-file.js';
import { MANAGEMENT_CLUSTER, contextOf, readWorld, serverUrlOf, updateWorld, worldLayout } from './world-file.js';

export const SANDBOX_DOMAIN = 'sandbox.local';

async function haproxyInstalled(): Promise<boolean> {
  const { execa } = await import('execa');
  return execa('haproxy', ['-v']).then(() => true, () => false);
}

export interface SandboxFleet extends Fleet {
  readonly layout: WorldLayout;
  readonly host: SandboxHost;
  /** Hosts the world's API servers from this process if no other process does. */
  ensureHosted(): Promise<void>;
  /**
   * The world's notices (recorded ports found busy and clusters moved, e.g. when taking over hosting), each told
   * once: to the listeners there are, else kept for the first one to subscribe. The CLI prints them on stderr, the
   * cockpit in its status line. Returns the unsubscribe function.
   */
  onNotice(listener: (line: string) => void): () => void;
}

/** Creates world.json, the bare Git remote and fixed ports the first time; later opens reuse them. */
async function ensureWorldFiles(layout: WorldLayout): Promise<void> {
  if (readWorld(layout)) return;
  await ensureBareRemote(layout.gitRemote);
  mkdirSync(dirname(layout.haproxyConfig), { recursive: true });
  mkdirSync(layout.gitCache, { recursive: true });
  const [managementPort, portainerPort] = [await freePort(), await freePort()];
  await updateWorld(layout, (current) => current ?? {
    version: 1, seeded: false, clusters: [], portainerPort,
    management: { name: MANAGEMENT_CLUSTER, provider: 'k3d', port: managementPort, record: null },
  });
}

/** world.json, read again only when it changed: a cluster may move to another port while this process runs. */
function worldReader(layout: WorldLayout): () => WorldFile {
  let seen = -1;
  let world: WorldFile | null = null;
  return () => {
    const mtime = statSync(layout.worldFile, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (mtime !== seen || !world) {
      const read = readWorld(layout);
      if (!read) throw new FleetError('UNAVAILABLE', 'the sandbox world is not set up', 'Run `fleetdeck sandbox reset`.');
      world = read;
      seen = mtime;
    }
    return world;
  };
}

/** The sandbox world's adapters: sandbox API servers for clusters, a bare Git remote, loopback Portainer. */
export async function openSandboxFleet(dataDir: string): Promise<SandboxFleet> {
  const layout = worldLayout(dataDir);
  await ensureWorldFiles(layout);
  const pending: string[] = [];
  const listeners = new Set<(line: string) => void>();
  const host = new SandboxHost(layout, {
    onNotice: (line) => {
      if (listeners.size === 0) pending.push(line);
      for (const listener of listeners) listener(line);
    },
  });
  const ensureHosted = async (): Promise<void> => {
    await host.claim();
  };
  await ensureHosted();
  // A long-running process (the cockpit, the daemon) takes over hosting when the host it relied on exits.
  const retake = setInterval(() => void host.claim().catch(() => undefined), 1000);
  retake.unref();
  await waitUntilServing(() => recordedUrl(layout, MANAGEMENT_CLUSTER));
  const currentWorld = worldReader(layout);
  const world = currentWorld();

  const backend = new WorldClusterBackend(layout, host, ensureHosted);
  const gateways = new Map<string, KubeGateway>();
  /** The client for a cluster at the port world.json records now; a moved cluster gets a new one. */
  const clientOf = async (cluster: WorldCluster): Promise<KubeGateway> => {
    const context = contextOf(cluster);
    const url = serverUrlOf(cluster);
    const key = `${context} ${url}`;
    let found = gateways.get(key);
    if (!found) {
      const [{ ClientNodeKubeGateway }, { loadKubeConfig }] = await Promise.all([
        import('../../../core/kube/client-node-gateway.js'), import('../../../core/kube/connection.js')]);
      found = new ClientNodeKubeGateway(loadKubeConfig({ kind: 'server', name: context, server: url, insecureSkipTlsVerify: true }), context, { timeoutMs: 5000 });
      gateways.set(key, found);
    }
    return found;
  };
  const clusterNamed = (name: string): WorldCluster => {
    const current = currentWorld();
    const cluster = name === MANAGEMENT_CLUSTER ? current.management : current.clusters.find((c) => c.name === name);
    if (!cluster) {
      throw new FleetError('NOT_FOUND', `sandbox cluster "${name}" is not running`, 'Create it with `fleetdeck --sandbox env create`, or repair drift.');
    }
    return cluster;
  };
  /** A gateway that follows its cluster to whatever port world.json records when each call is made. */
  const gatewayFor = (cluster: WorldCluster): KubeGateway => {
    const serverNow = (): string => {
      try {
        return serverUrlOf(clusterNamed(cluster.name));
      } catch {
        return serverUrlOf(cluster);
      }
    };
    return lazyGateway(contextOf(cluster), serverNow, async () => clientOf(clusterNamed(cluster.name)));
  };
  const management = gatewayFor(world.management);
  const clusterGateways = new Map<string, KubeGateway>();
  return {
    sandbox: true,
    layout,
    host,
    ensureHosted,
    onNotice(listener) {
      listeners.add(listener);
      for (const line of pending.splice(0)) listener(line);
      return () => listeners.delete(listener);
    },
    providers: { k3d: new SandboxProvider(backend, 'k3d'), kind: new SandboxProvider(backend, 'kind') },
    git: lazyGit(layout.gitRemote, async () => {
      const { SimpleGitRemote } = await import('../../../core/gitops/simple-git-remote.js');
      return new SimpleGitRemote({ url: layout.gitRemote, cacheDir: layout.gitCache, manifests: { domain: SANDBOX_DOMAIN } });
    }),
    registrars: {
      argocd: new ArgoCdRegistrar(new KubeSecretsApi(management)),
      portainer: new PortainerRegistrar({ url: `http://127.0.0.1:${world.portainerPort}`, apiKey: SANDBOX_PORTAINER_KEY }),
      haproxy: lazyRegistrar('haproxy', async () => {
        const { HaproxyRegistrar } = await import('../../../core/registrars/haproxy-registrar.js');
        return new HaproxyRegistrar({ configPath: layout.haproxyConfig, domain: SANDBOX_DOMAIN, validate: await haproxyInstalled() });
      }),
    },
    async kube(clusterName) {
      if (clusterName === MANAGEMENT_CLUSTER) return management;
      const cluster = clusterNamed(clusterName);
      let gateway = clusterGateways.get(cluster.name);
      if (!gateway) {
        gateway = gatewayFor(cluster);
        clusterGateways.set(cluster.name, gateway);
      }
      return gateway;
    },
    async close() {
      clearInterval(retake);
      gateways.clear();
      clusterGateways.clear();
      await host.stop();
    },
  };
}
