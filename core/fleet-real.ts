import { join } from 'node:path';
import type { FleetConfig } from './config.js';
import { ValidationError } from './errors.js';
import type { Fleet } from './fleet.js';
import { MANAGEMENT_CLUSTER } from './fleet.js';
import { SimpleGitRemote } from './gitops/simple-git-remote.js';
import type { GitRemote } from './gitops/types.js';
import { ClientNodeKubeGateway } from './kube/client-node-gateway.js';
import { contextNames, loadKubeConfig } from './kube/connection.js';
import type { KubeGateway } from './kube/types.js';
import { K3dProvider } from './providers/k3d-provider.js';
import { KindProvider } from './providers/kind-provider.js';
import { ArgoCdRegistrar } from './registrars/argocd-registrar.js';
import { HaproxyRegistrar } from './registrars/haproxy-registrar.js';
import { KubeSecretsApi } from './registrars/kube-secrets-api.js';
import { PortainerRegistrar } from './registrars/portainer-registrar.js';
import type { Registrar } from './registrars/types.js';

/** A registrar for a system that is not configured: every call says what to configure. */
function unconfigured(kind: Registrar['kind'], setting: string): Registrar {
  const refuse = (): never => {
    throw new ValidationError(`${kind} is not configured`, `Set ${setting} in the fleetdeck configuration file.`, setting);
  };
  return { kind, ensure: async () => refuse(), remove: async () => refuse(), list: async () => refuse() };
}

function unconfiguredGit(): GitRemote {
  const refuse = (): never => {
    throw new ValidationError('no Git remote is configured', 'Set git.url in the configuration file or FLEETDECK_GIT_URL.', 'git.url');
  };
  return {
    displayUrl: '(not configured)', listBranches: async () => refuse(), ensureBranch: async () => refuse(), updateBranch: async () => refuse(),
    deleteBranch: async () => refuse(), archiveBranch: async () => refuse(), readBranchFile: async () => refuse(),
  };
}

/** The real adapters: k3d and kind CLIs, the configured Git remote, ArgoCD/Portainer/HAProxy, kubeconfig contexts. */
export function realFleet(config: FleetConfig): Fleet {
  const settings = config.fleet;
  const gateways = new Map<string, KubeGateway>();
  const gatewayFor = (context: string): KubeGateway => {
    let gateway = gateways.get(context);
    if (!gateway) {
      gateway = new ClientNodeKubeGateway(loadKubeConfig({ kind: 'kubeconfig-file', context }), context);
      gateways.set(context, gateway);
    }
    return gateway;
  };
  const management = (): KubeGateway => gatewayFor(settings.managementContext);
  const apiKey = process.env[settings.portainerApiKeyEnv];
  return {
    sandbox: false,
    // ArgoCD runs in devops, a container on the clusters' Docker networks: it reaches them by container name, not
    // through the jumpbox's loopback ports that the kubeconfigs hold.
    providers: { k3d: new K3dProvider({ network: settings.network, registerInNetwork: true }), kind: new KindProvider({ registerInNetwork: true }) },
    git: settings.gitUrl
      ? new SimpleGitRemote({ url: settings.gitUrl, cacheDir: join(config.dataDir, 'git-cache'), manifests: { domain: settings.domain } })
      : unconfiguredGit(),
    registrars: {
      argocd: new ArgoCdRegistrar(new KubeSecretsApi(lazyGateway(management)), { namespace: settings.argocdNamespace }),
      portainer: settings.portainerUrl && apiKey ? new PortainerRegistrar({ url: settings.portainerUrl, apiKey })
        : unconfigured('portainer', `portainer.url and the ${settings.portainerApiKeyEnv} environment variable`),
      haproxy: settings.haproxyConfig
        ? new HaproxyRegistrar({ configPath: settings.haproxyConfig, domain: settings.domain, ...(settings.haproxyReload ? { reloadCommand: settings.haproxyReload } : {}) })
        : unconfigured('haproxy', 'haproxy.config'),
    },
    async kube(clusterName) {
      if (clusterName === MANAGEMENT_CLUSTER) return management();
      const contexts = contextNames(loadKubeConfig({ kind: 'kubeconfig-file' }));
      const context = [`k3d-${clusterName}`, `kind-${clusterName}`, clusterName].find((c) => contexts.includes(c));
      if (!context) {
        throw new ValidationError(`no kube context for cluster "${clusterName}"`,
          `Expected k3d-${clusterName} or kind-${clusterName} in your kubeconfig (KUBECONFIG or ~/.kube/config).`);
      }
      return gatewayFor(context);
    },
    async close() {
      gateways.clear();
    },
  };
}

/** Defers reading the kubeconfig until the management cluster is first used. */
function lazyGateway(make: () => KubeGateway): KubeGateway {
  let gateway: KubeGateway | null = null;
  const get = (): KubeGateway => (gateway ??= make());
  return new Proxy({} as KubeGateway, {
    get: (_target, property) => {
      const real = get();
      const value = real[property as keyof KubeGateway];
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(real) : value;
    },
  });
}
