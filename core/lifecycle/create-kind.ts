/**
 * `env.create` in the seeds' order: validate → allocate and insert the row (the source of truth first) → Git branch
 * → cluster → Portainer → ArgoCD → HAProxy route. Every step checks before it acts. `validate` refuses a name whose
 * branch or cluster exists without a row, and a step that is about to create something journals a claim on it
 * first: undo compensates only what this operation claimed or created, never what existed before it.
 */
import type { Database, Queryable } from '../db/database.js';
import type { EventRelay } from '../db/notifications.js';
import { ConflictError } from '../errors.js';
import { explainAddFailure } from '../inventory/add-errors.js';
import type { AllocationRanges } from '../inventory/allocation.js';
import { insertCluster } from '../inventory/allocation.js';
import { getCluster } from '../inventory/queries.js';
import type { ClusterRecord, ClusterSpec } from '../inventory/types.js';
import { validateClusterSpec } from '../inventory/validation.js';
import type { OperationKind, StepContext, StepDefinition, StepOutputs } from '../operations/types.js';
import type { RegistrarKind } from '../registrars/types.js';
import { ensureRegistered, requireRow, unregister } from './env-effects.js';
import { findLive, type FleetPorts, type FleetPortsSource } from './ports.js';
import { checkpointed, type StepCheckpoint } from './steps-hook.js';
import { findPreexisting, refuseTakeover } from './takeover.js';

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

/** Something of the name showed up between `validate` and the step that would create it: someone else's. */
function appearedMeanwhile(what: string, name: string, operationId: number): ConflictError {
  return new ConflictError(`${what} named "${name}" appeared while environment ${name} was being created; refusing to take it over`,
    `Find out who made it. \`fleetdeck ops undo ${operationId}\` rolls back what this create did and leaves that ${what.replace(/^an? /, '')} alone.`,
    { name, operation: operationId });
}

/** Whether undo may remove the thing a step made: claimed before acting, or reported created (older journals). */
const owns = (outputs: StepOutputs, created: boolean): boolean => outputs.claimed === true || created;

/**
 * Claims what the step is about to create: on its first attempt (or any attempt before the claim was journaled)
 * the thing must be absent; once claimed, the thing is this operation's whether or not it exists yet.
 */
async function claim(ctx: StepContext, exists: boolean, refuse: () => ConflictError): Promise<void> {
  if (ctx.journaled.claimed === true) return;
  if (exists) throw refuse();
  await ctx.note({ claimed: true });
}

/**
 * Creates the cluster unless its provider lists it. A cluster this operation claimed but that never came up (the
 * process was killed while the provider ran) is replaced.
 */
async function ensureOwnClusterRunning(ports: FleetPorts, row: ClusterRecord, ctx: StepContext): Promise<StepOutputs> {
  const live = await findLive(ports, row);
  await claim(ctx, live !== null, () => appearedMeanwhile(`a ${row.provider} cluster`, row.name, ctx.operationId));
  if (live && (live.status === 'running' || live.status === 'unknown')) return { created: false };
  const provider = ports.providers[row.provider];
  if (live) await provider.delete(row.name);
  await provider.create(row);
  return { created: true, ...(live ? { replaced: live.status } : {}) };
}

/** Registers the cluster; a registration that was there before is updated and kept (not claimed). */
async function ensureOwnRegistration(ports: FleetPorts, kind: RegistrarKind, row: ClusterRecord, ctx: StepContext): Promise<StepOutputs> {
  if (ctx.journaled.claimed !== true && !(await ports.registrars[kind].list()).some((r) => r.name === row.name)) await ctx.note({ claimed: true });
  return ensureRegistered(ports, kind, row);
}

export function envCreateKind(deps: LifecycleKindDeps): OperationKind {
  const { db } = deps;
  return {
    kind: ENV_CREATE,
    steps(params) {
      const spec = (params as unknown as EnvCreateParams).spec;
      const name = spec.name;
      const step = (stepName: string, run: StepDefinition['run'], undo: NonNullable<StepDefinition['undo']>): StepDefinition => ({
        name: stepName,
        run: (ctx) => checkpointed(deps.checkpoint, stepName, () => run(ctx)),
        undo,
      });
      return [
        step('validate', async (ctx) => {
          validateClusterSpec(spec);
          if (await getCluster(db, name)) {
            if ((await originOf(db, name)) !== ctx.operationId) throw alreadyExists(name);
            return {};
          }
          refuseTakeover(name, spec.provider, await findPreexisting(await deps.ports(), name, spec.provider));
          return {};
        }, async () => undefined),
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
        step('git-branch', async (ctx) => {
          const { git } = await deps.ports();
          if (ctx.journaled.claimed !== true) await claim(ctx, (await git.listBranches()).has(name), () => appearedMeanwhile('a Git branch', name, ctx.operationId));
          const result = await git.ensureBranch(await requireRow(db, name));
          return { sha: result.sha, action: result.action };
        }, async (_ctx, outputs) => {
          if (owns(outputs, outputs.action === 'created')) await (await deps.ports()).git.deleteBranch(name);
        }),
        step('cluster', async (ctx) => ensureOwnClusterRunning(await deps.ports(), await requireRow(db, name), ctx), async (_ctx, outputs) => {
          if (owns(outputs, outputs.created === true)) await (await deps.ports()).providers[spec.provider].delete(name);
        }),
        ...(['portainer', 'argocd', 'haproxy'] as const).map((kind) => step(kind,
          async (ctx) => ensureOwnRegistration(await deps.ports(), kind, await requireRow(db, name), ctx),
          async (_ctx, outputs) => {
            if (owns(outputs, outputs.action === 'created')) await unregister(await deps.ports(), kind, name);
          })),
      ];
    },
  };
}
