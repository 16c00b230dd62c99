/**
 * `env.create` in the seeds' order: validate → allocate and insert the row (the source of truth first) → Git branch
 * → cluster → Portainer → ArgoCD → HAProxy route. Every step checks before it acts and has an undo.
 */
import type { Database, Queryable } from '../db/database.js';
import type { EventRelay } from '../db/notifications.js';
import { ConflictError } from '../errors.js';
import { explainAddFailure } from '../inventory/add-errors.js';
import type { AllocationRanges } from '../inventory/allocation.js';
import { insertCluster } from '../inventory/allocation.js';
import { getCluster } from '../inventory/queries.js';
import type { ClusterSpec } from '../inventory/types.js';
import { validateClusterSpec } from '../inventory/validation.js';
import type { OperationKind, StepDefinition } from '../operations/types.js';
import { ensureClusterRunning, ensureRegistered, requireRow, unregister } from './env-effects.js';
import type { FleetPortsSource } from './ports.js';
import { checkpointed, type StepCheckpoint } from './steps-hook.js';

export const ENV_CREATE = 'env.create';

export interface LifecycleKindDeps {
  db: Database;
  relay: EventRelay;
  ranges: AllocationRanges;
  ports: FleetPortsSource;
  checkpoint?: StepCheckpoint;
}

export interface EnvCreateParams {
  spec: ClusterSpec;
}

async function originOf(db: Queryable, name: string): Promise<number | null> {
  const result = await db.query<{ operation_id: string | number }>('SELECT operation_id FROM cluster_origins WHERE cluster_name = $1', [name]);
  const row = result.rows[0];
  return row ? Number(row.operation_id) : null;
}

function alreadyExists(name: string): ConflictError {
  return new ConflictError(`cluster "${name}" already exists`,
    `See it with \`fleetdeck clusters show ${name}\`; \`fleetdeck drift\` shows whether its parts are all there.`, { name });
}

export function envCreateKind(deps: LifecycleKindDeps): OperationKind {
  const { db } = deps;
  return {
    kind: ENV_CREATE,
    steps(params) {
      const spec = (params as unknown as EnvCreateParams).spec;
      const name = spec.name;
      const step = (stepName: string, run: StepDefinition['run'], undo?: StepDefinition['undo']): StepDefinition => ({
        name: stepName,
        run: (ctx) => checkpointed(deps.checkpoint, stepName, () => run(ctx)),
        ...(undo ? { undo } : {}),
      });
      return [
        step('validate', async (ctx) => {
          validateClusterSpec(spec);
          if ((await getCluster(db, name)) && (await originOf(db, name)) !== ctx.operationId) throw alreadyExists(name);
          return {};
        }),
        step('inventory', async (ctx) => {
          if (await getCluster(db, name)) {
            if ((await originOf(db, name)) === ctx.operationId) return { cluster: name, reused: true };
            throw alreadyExists(name);
          }
          let inserted;
          try {
            inserted = await db.transaction(async (tx) => {
              const row = await insertCluster(tx, spec, deps.ranges);
              await tx.query('INSERT INTO cluster_origins (cluster_name, operation_id) VALUES ($1, $2)', [row.name, ctx.operationId]);
              return row;
            });
          } catch (error) {
            throw await explainAddFailure(db, spec, error);
          }
          await deps.relay.publish({ topic: 'inventory', type: 'cluster.added', target: name });
          return { cluster: name, subnet: inserted.subnet, ports: [inserted.pfPort, inserted.httpPort, inserted.httpsPort] };
        }, async (ctx) => {
          const removed = await db.query('DELETE FROM clusters c USING cluster_origins o WHERE c.name = $1 AND o.cluster_name = c.name AND o.operation_id = $2',
            [name, ctx.operationId]);
          if (removed.rowCount > 0) await deps.relay.publish({ topic: 'inventory', type: 'cluster.removed', target: name });
        }),
        step('git-branch', async () => {
          const result = await (await deps.ports()).git.ensureBranch(await requireRow(db, name));
          return { sha: result.sha, action: result.action };
        }, async () => {
          await (await deps.ports()).git.deleteBranch(name);
        }),
        step('cluster', async () => ensureClusterRunning(await deps.ports(), await requireRow(db, name)), async () => {
          await (await deps.ports()).providers[spec.provider].delete(name);
        }),
        ...(['portainer', 'argocd', 'haproxy'] as const).map((kind) => step(kind,
          async () => ensureRegistered(await deps.ports(), kind, await requireRow(db, name)),
          async () => {
            await unregister(await deps.ports(), kind, name);
          })),
      ];
    },
  };
}
