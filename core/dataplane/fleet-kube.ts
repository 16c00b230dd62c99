import type { Fleet } from '../fleet.js';
import type { KubeConnection } from '../kube/connection.js';
import type { KubeGateway } from '../kube/types.js';
import type { KubeFactory } from './cluster-access.js';
import { defaultKubeFactory } from './cluster-access.js';

const PROVIDER_PREFIXES = ['k3d-', 'kind-'];

/** `kind-dev` → `dev`; a name without a provider prefix is taken as a fleet cluster name as it is. */
export function fleetClusterOfContext(context: string): string {
  const prefix = PROVIDER_PREFIXES.find((p) => context.startsWith(p) && context.length > p.length);
  return prefix ? context.slice(prefix.length) : context;
}

/**
 * Resolves a cluster configuration that names a kube context through the engine's fleet (`fleet.kube(name)`), so
 * the real fleet's contexts and the sandbox world's clusters are reached the same way; anything else (server
 * connections, explicit kubeconfig files, contexts the fleet does not know) goes to `fallback`.
 */
export function fleetKubeFactory(fleet: () => Promise<Fleet>, fallback: KubeFactory = defaultKubeFactory): KubeFactory {
  return async (connection: KubeConnection): Promise<KubeGateway> => {
    if (connection.kind === 'kubeconfig-file' && connection.path === undefined && connection.context) {
      const context = connection.context;
      const found = await fleet()
        .then((f) => f.kube(fleetClusterOfContext(context)))
        .catch(() => null);
      if (found && (found.context === context || fleetClusterOfContext(context) === context)) return found;
    }
    return fallback(connection);
  };
}
