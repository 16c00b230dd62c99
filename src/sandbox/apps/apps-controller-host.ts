/**
 * The sandbox host runs the apps controller beside the sandbox agents, so `kubectl edit` of a group ConfigMap in the
 * sandbox reloads the agents even when no daemon runs. It contends for the same controller lease as any daemon, so
 * only one of them acts. It talks to its management cluster over HTTP, as any client does.
 */
import { startAppsControllerSingleton } from '../../../core/apps/index.js';
import type { AppsControllerEvent, AppsControllerSingleton } from '../../../core/apps/index.js';
import { createKubeGateway } from '../../../core/kube/index.js';
import type { SandboxCluster } from '../kube-api/index.js';
import { kubeconfigFor } from '../kube-api/index.js';

export function startSandboxAppsController(cluster: SandboxCluster,
  options: { onEvent?(event: AppsControllerEvent): void; leaseMs?: number } = {}): AppsControllerSingleton {
  const context = `sandbox-${cluster.name}`;
  const kube = createKubeGateway({ kind: 'kubeconfig', yaml: kubeconfigFor([{ context, url: cluster.url }]), context });
  return startAppsControllerSingleton(kube, { roll: true, ...options });
}
