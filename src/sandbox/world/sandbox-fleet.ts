import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { execaSync } from 'execa';
import { FleetError } from '../../../core/errors.js';
import type { Fleet } from '../../../core/fleet.js';
import { SimpleGitRemote } from '../../../core/gitops/simple-git-remote.js';
import { ClientNodeKubeGateway } from '../../../core/kube/client-node-gateway.js';
import { loadKubeConfig } from '../../../core/kube/connection.js';
import type { KubeGateway } from '../../../core/kube/types.js';
import { SandboxProvider } from '../../../core/providers/sandbox-provider.js';
import { ArgoCdRegistrar } from '../../../core/registrars/argocd-registrar.js';
import { HaproxyRegistrar } from '../../../core/registrars/haproxy-registrar.js';
import { KubeSecretsApi } from '../../../core/registrars/kube-secrets-api.js';
import { PortainerRegistrar } from '../../../core/registrars/portainer-registrar.js';
import { WorldClusterBackend, waitUntilServing } from './cluster-backend.js';
import { freePort } from './free-port.js';
import { ensureBareRemote } from './git-remote.js';
import { SANDBOX_PORTAINER_KEY, SandboxHost } from './host.js';
import type { WorldLayout } from './world-file.js';
import { MANAGEMENT_CLUSTER, contextOf, readWorld, updateWorld, worldLayout } from './world-file.js';

export const SANDBOX_DOMAIN = 'sandbox.local';

function haproxyInstalled(): boolean {
  try {
    execaSync('haproxy', ['-v']);
    return true;
  } catch {
    return false;
  }
}

export interface SandboxFleet extends Fleet {
  readonly layout: WorldLayout;
  readonly host: SandboxHost;
  /** Hosts the world's API servers from this process if no other process does. */
  ensureHosted(): Promise<void>;
}

/** Creates world.json, the bare Git remote and fixed ports the first time; later opens reuse them. */
async function ensureWorldFiles(layout: WorldLayout): Promise<void> {
  await ensureBareRemote(layout.gitRemote);
  mkdirSync(dirname(layout.haproxyConfig), { recursive: true });
  mkdirSync(layout.gitCache, { recursive: true });
  if (readWorld(layout)) return;
  const [managementPort, portainerPort] = [await freePort(), await freePort()];
  await updateWorld(layout, (current) => current ?? {
    version: 1, seeded: false, clusters: [], portainerPort,
    management: { name: MANAGEMENT_CLUSTER, provider: 'k3d', port: managementPort, record: null },
  });
}

/** The sandbox world's adapters: sandbox API servers for clusters, a bare Git remote, loopback Portainer. */
export async function openSandboxFleet(dataDir: string): Promise<SandboxFleet> {
  const layout = worldLayout(dataDir);
  await ensureWorldFiles(layout);
  const host = new SandboxHost(layout);
  const ensureHosted = async (): Promise<void> => {
    await host.claim();
  };
  await ensureHosted();
  // A long-running process (the cockpit, the daemon) takes over hosting when the host it relied on exits.
  const retake = setInterval(() => void host.claim().catch(() => undefined), 1000);
  retake.unref();
  const world = readWorld(layout)!;
  await waitUntilServing(`http://127.0.0.1:${world.management.port}`);

  const backend = new WorldClusterBackend(layout, host, ensureHosted);
  const gateways = new Map<string, KubeGateway>();
  const gateway = (context: string): KubeGateway => {
    let found = gateways.get(context);
    if (!found) {
      found = new ClientNodeKubeGateway(loadKubeConfig({ kind: 'kubeconfig-file', path: layout.kubeconfig, context }), context, { timeoutMs: 5000 });
      gateways.set(context, found);
    }
    return found;
  };
  const management = gateway(contextOf(world.management));
  return {
    sandbox: true,
    layout,
    host,
    ensureHosted,
    providers: { k3d: new SandboxProvider(backend, 'k3d'), kind: new SandboxProvider(backend, 'kind') },
    git: new SimpleGitRemote({ url: layout.gitRemote, cacheDir: layout.gitCache, manifests: { domain: SANDBOX_DOMAIN } }),
    registrars: {
      argocd: new ArgoCdRegistrar(new KubeSecretsApi(management)),
      portainer: new PortainerRegistrar({ url: `http://127.0.0.1:${world.portainerPort}`, apiKey: SANDBOX_PORTAINER_KEY }),
      haproxy: new HaproxyRegistrar({ configPath: layout.haproxyConfig, domain: SANDBOX_DOMAIN, validate: haproxyInstalled() }),
    },
    async kube(clusterName) {
      if (clusterName === MANAGEMENT_CLUSTER) return management;
      const cluster = readWorld(layout)?.clusters.find((c) => c.name === clusterName);
      if (!cluster) {
        throw new FleetError('NOT_FOUND', `sandbox cluster "${clusterName}" is not running`, 'Create it with `fleetdeck --sandbox env create`, or repair drift.');
      }
      if (!existsSync(layout.kubeconfig)) throw new FleetError('UNAVAILABLE', 'the sandbox kubeconfig is missing', 'Run `fleetdeck sandbox reset`.');
      return gateway(contextOf(cluster));
    },
    async close() {
      clearInterval(retake);
      gateways.clear();
      await host.stop();
    },
  };
}
