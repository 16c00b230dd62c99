import type { Engine } from '../../core/engine.js';
import { errorMessage } from '../../core/errors.js';
import { MANAGEMENT_CLUSTER } from '../../core/fleet.js';
import type { KubeFactory } from '../../core/dataplane/index.js';
import { defaultKubeFactory } from '../../core/dataplane/index.js';
import type { KubeConnection } from '../../core/kube/connection.js';
import type { KubeGateway } from '../../core/kube/types.js';

/** Where the Primus-SaFE Cluster resources live, and how it was found (for the daemon's log). */
export interface ManagementCluster {
  gateway: KubeGateway;
  source: string;
}

export type ManagementResolution = ManagementCluster | { gateway: null; reason: string };

/** FLEETDECK_MANAGEMENT_CONTEXT, when set, overrides the configuration: a kubeconfig context name. */
export function managementFromEnv(env: NodeJS.ProcessEnv = process.env): KubeConnection | null {
  const context = env.FLEETDECK_MANAGEMENT_CONTEXT;
  return context ? { kind: 'kubeconfig-file', context } : null;
}

/**
 * The management cluster: the FLEETDECK_MANAGEMENT_CONTEXT override, else the engine's fleet — the configured
 * `fleet.managementContext` (default k3d-devops) for a real fleet, the sandbox world's devops cluster in the sandbox.
 */
export async function resolveManagement(engine: Engine, options: { env?: NodeJS.ProcessEnv; kubeFactory?: KubeFactory } = {}): Promise<ManagementResolution> {
  const override = managementFromEnv(options.env ?? process.env);
  if (override) {
    try {
      const gateway = await (options.kubeFactory ?? defaultKubeFactory)(override);
      return { gateway, source: `kube context ${gateway.context} (FLEETDECK_MANAGEMENT_CONTEXT)` };
    } catch (error) {
      return { gateway: null, reason: `FLEETDECK_MANAGEMENT_CONTEXT cannot be used: ${errorMessage(error)}` };
    }
  }
  try {
    const fleet = await engine.fleet();
    const gateway = await fleet.kube(MANAGEMENT_CLUSTER);
    return { gateway, source: fleet.sandbox ? `the sandbox ${MANAGEMENT_CLUSTER} cluster (${gateway.server})` : `kube context ${gateway.context} (fleet.managementContext)` };
  } catch (error) {
    return {
      gateway: null,
      reason: `no management cluster: ${errorMessage(error)} (set argocd.context in the configuration file, or FLEETDECK_MANAGEMENT_CONTEXT)`,
    };
  }
}
