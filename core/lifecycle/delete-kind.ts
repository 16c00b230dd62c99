/**
 * `env.delete` in seed 002's order: cluster → Portainer / ArgoCD → HAProxy → Git branch → the row last. A Git
 * failure does not block the delete: it is recorded as a warning, and the branch shows up as drift.
 */
import { deleteCluster } from '../inventory/queries.js';
import type { Provider } from '../inventory/types.js';
import type { OperationKind, StepDefinition } from '../operations/types.js';
import type { LifecycleKindDeps } from './create-kind.js';
import { unregister } from './env-effects.js';
import { checkpointed } from './steps-hook.js';

export const ENV_DELETE = 'env.delete';

export interface EnvDeleteParams {
  name: string;
  provider: Provider;
}

export function envDeleteKind(deps: LifecycleKindDeps): OperationKind {
  return {
    kind: ENV_DELETE,
    steps(params) {
      const { name, provider } = params as unknown as EnvDeleteParams;
      const step = (stepName: string, run: StepDefinition['run'], failureIsWarning = false): StepDefinition => ({
        name: stepName, failureIsWarning, run: (ctx) => checkpointed(deps.checkpoint, stepName, () => run(ctx)),
      });
      return [
        step('cluster', async () => {
          await (await deps.ports()).providers[provider].delete(name);
          return {};
        }),
        ...(['portainer', 'argocd', 'haproxy'] as const).map((kind) => step(kind, async () => unregister(await deps.ports(), kind, name))),
        step('git-branch', async () => (await deps.ports()).git.deleteBranch(name), true),
        step('inventory', async () => {
          const removed = await deleteCluster(deps.db, name);
          if (removed) await deps.relay.publish({ topic: 'inventory', type: 'cluster.removed', target: name });
          return { removed: removed !== null };
        }),
      ];
    },
  };
}
