/**
 * The DR service the CLI, cockpit and daemon call: store plans and workflows, list the plans of every source (the
 * database and DRPlan custom resources in clusters), dry-run, start, run, follow, cancel, revert and export
 * executions. Mutations go through `audited`; secrets are sealed at rest and never leave it unredacted.
 */
import { audited, type MutationContext } from '../audit/audited.js';
import type { Actor } from '../audit/audit-log.js';
import { SecretBox } from '../dataplane/secret-box.js';
import type { EventRelay } from '../db/notifications.js';
import type { Engine } from '../engine.js';
import { ValidationError } from '../errors.js';
import { MANAGEMENT_CLUSTER } from '../fleet.js';
import type { KubeGateway, KubeObject } from '../kube/types.js';
import type { ActionHandlers } from './actions/types.js';
import { toArgoRevertOfExecution, toArgoRevertWorkflow, toArgoWorkflow, type ArgoExportOptions } from './argo/index.js';
import {
  actionKeysOf, DEFAULT_LEASE_MS, newRevert, planRevert, renderSnapshot, runExecution, runSecrets, type ExecutorDeps, type RunOptions, type RunOutcome,
} from './executor/index.js';
import { cancelAbandoned } from './executor/executor.js';
import type { PlanRendering } from './render/plan.js';
import { redactAction, redactParams, scrubDeep, secretParamNames } from './render/redact.js';
import { openSealed, sealOverrides, sealSnapshot, sealWorkflow, sealPlan, type Sealer } from './secrets/sealing.js';
import { loadCatalog, qualifiedName, resolvePlan, snapshotOf, STORED_SOURCE, type Catalog, type SourceProblem } from './sources/catalog.js';
import type { InvalidResource } from './sources/cluster-resources.js';
import { checkRenderedClusterRefs, clusterRefIssues } from './schema/cluster-refs.js';
import { DRValidationError } from './schema/issues.js';
import { loadDRDocuments, namespaceOf, type DRBundle } from './schema/load.js';
import type { DRPlan, DRWorkflow } from './schema/types.js';
import {
  getExecution, getSnapshot, insertExecution, listActionStatuses, listExecutions, listReverts, listWorkflows, newExecutionId,
  orphanedExecutions, requestCancel, upsertResources, type ExecutionRecord, type ExecutionView, type PlanSnapshot,
} from './store/index.js';
import { executionStatusOf } from './store/status-view.js';
import { FINISHED_PHASES } from './store/types.js';

export interface DrServiceDeps extends MutationContext {
  relay?: EventRelay;
  kube(clusterName: string): Promise<KubeGateway>;
  handlers?: ActionHandlers;
  /**
   * Seals secret values at rest and opens them to run (FLEETDECK_SECRET_KEY). Default: from the environment.
   * null: no key; plans with secrets cannot be stored or executed then.
   */
  secrets?: SecretBox | null;
  /** Clusters whose DRPlan/DRWorkflow custom resources are listed and run. Default: the management cluster. */
  planClusters?: readonly string[];
  /** The clusters a clusterRef may name (the inventory and the management cluster); without it clusterRefs are not checked. */
  clusterNames?(): Promise<readonly string[]>;
  /**
   * How long a runner's lease lasts without a heartbeat before its execution counts as abandoned (resumed by
   * `orphaned` + `run`, finished by `cancel`). Default DEFAULT_LEASE_MS (15 s).
   */
  leaseMs?: number;
}

export interface CancelOptions {
  /**
   * How long to wait for the execution to end (0, the default: return at once). A live runner stops at its next
   * heartbeat; one whose process died is taken over and finished as Canceled once its lease has expired.
   */
  waitMs?: number;
  /**
   * Called once when the execution is still running CANCEL_NOTICE_MS after the request (a live runner stops within
   * about a second, so its runner is probably gone and the wait lasts until its lease expires).
   */
  onWaiting?(execution: ExecutionRecord): void;
}

export interface PlanSummary {
  name: string;
  namespace: string;
  /** `stored` (fleetdeck dr apply) or `cluster/NAME` (a DRPlan custom resource in that cluster). */
  source: string;
  /** The unambiguous name: `SOURCE:NAMESPACE/NAME`. */
  ref: string;
  description: string;
  stages: number;
  lastExecution: Pick<ExecutionRecord, 'id' | 'kind' | 'phase' | 'createdAt'> | null;
  /** Set for a custom resource that fails validation: why it cannot run. */
  invalid?: string;
}

export interface PlanListing {
  plans: PlanSummary[];
  /** Sources that could not be read (an unreachable cluster). */
  problems: SourceProblem[];
}

const FINISHED: ReadonlySet<string> = new Set(FINISHED_PHASES);
/** How long `cancel` waits for a live runner before telling (onWaiting) that it waits for a lease to expire. */
const CANCEL_NOTICE_MS = 2_000;

function actorName(actor: Actor): string {
  return `${actor.user}@${actor.host}`;
}

/** What leaves the service: sealed parameter values shown as ******. */
function publicRecord<T extends ExecutionRecord>(record: T): T {
  return { ...record, params: redactParams(record.params) as Record<string, string> };
}

export class DrService {
  private readonly secrets: SecretBox | null;

  constructor(private readonly deps: DrServiceDeps) {
    this.secrets = deps.secrets === undefined ? SecretBox.fromEnv() : deps.secrets;
  }

  private get leaseMs(): number {
    return this.deps.leaseMs ?? DEFAULT_LEASE_MS;
  }

  private get executorDeps(): ExecutorDeps {
    return {
      db: this.deps.db, kube: (c) => this.deps.kube(c), secrets: this.secrets,
      ...(this.deps.relay ? { relay: this.deps.relay } : {}), ...(this.deps.handlers ? { handlers: this.deps.handlers } : {}),
    };
  }

  private get planClusters(): readonly string[] {
    return this.deps.planClusters ?? [MANAGEMENT_CLUSTER];
  }

  private catalog(): Promise<Catalog> {
    return loadCatalog({ db: this.deps.db, kube: (c) => this.deps.kube(c), clusters: this.planClusters });
  }

  /** Parses and validates a multi-document file; workflows already stored satisfy plan references. */
  async validate(text: string, source: string): Promise<DRBundle> {
    const known = (await listWorkflows(this.deps.db)).map((w) => ({ name: w.metadata.name, namespace: namespaceOf(w) }));
    const bundle = loadDRDocuments(text, { source, knownWorkflows: known });
    if (bundle.executions.length > 0) {
      throw new ValidationError(`${source} contains a DRPlanExecution`, 'Start executions with `fleetdeck dr execute PLAN`; apply only DRPlan and DRWorkflow documents.', source);
    }
    const clusters = await this.deps.clusterNames?.();
    if (clusters) {
      for (const resource of [...bundle.workflows, ...bundle.plans]) {
        const issues = clusterRefIssues(resource, clusters);
        if (issues.length > 0) throw new DRValidationError(`${resource.kind} "${resource.metadata.name}" (${source})`, issues);
      }
    }
    return bundle;
  }

  async apply(text: string, source: string): Promise<{ plans: string[]; workflows: string[] }> {
    const bundle = await this.validate(text, source);
    const names = (rs: (DRPlan | DRWorkflow)[]): string[] => rs.map((r) => `${namespaceOf(r)}/${r.metadata.name}`);
    // Secret parameters are the ones secret headers read, in this file's workflows or the stored ones.
    const secret = secretParamNames([...bundle.workflows, ...(await listWorkflows(this.deps.db))]);
    const seal = (what: string): Sealer => ({ box: this.secrets, what, sealed: 0 });
    const sealed = [
      ...bundle.workflows.map((w) => sealWorkflow(seal(`DRWorkflow "${w.metadata.name}" (${source})`), w, secret)),
      ...bundle.plans.map((p) => sealPlan(seal(`DRPlan "${p.metadata.name}" (${source})`), p, secret)),
    ];
    return audited(this.deps, 'dr.apply', source, async () => {
      await this.deps.db.transaction((tx) => upsertResources(tx, sealed, actorName(this.deps.actor)));
      await this.publish('resources.applied', source, {});
      return { plans: names(bundle.plans), workflows: names(bundle.workflows) };
    }, (r) => r);
  }

  /** Every plan of every source, with where it comes from and its last execution. */
  async inventory(): Promise<PlanListing> {
    const [catalog, executions] = await Promise.all([this.catalog(), listExecutions(this.deps.db, 500)]);
    const summary = (plan: DRPlan, source: string): PlanSummary => {
      const last = executions.find((e) => e.planName === plan.metadata.name && e.planNamespace === namespaceOf(plan));
      return {
        name: plan.metadata.name, namespace: namespaceOf(plan), source, ref: qualifiedName(source, plan), description: plan.spec.description ?? '',
        stages: plan.spec.stages.length, lastExecution: last ? { id: last.id, kind: last.kind, phase: last.phase, createdAt: last.createdAt } : null,
      };
    };
    const invalidPlans = catalog.invalid.filter((i): i is InvalidResource & { kind: 'DRPlan' } => i.kind === 'DRPlan').map((i) => ({
      name: i.name, namespace: i.namespace, source: i.source, ref: `${i.source}:${i.namespace}/${i.name}`, description: '', stages: 0, lastExecution: null, invalid: i.message,
    }));
    return { plans: [...catalog.plans.map((p) => summary(p.plan, p.source)), ...invalidPlans], problems: catalog.problems };
  }

  async listPlans(): Promise<PlanSummary[]> {
    return (await this.inventory()).plans;
  }

  async listExecutions(limit = 50): Promise<ExecutionRecord[]> {
    return (await listExecutions(this.deps.db, limit)).map(publicRecord);
  }

  /** The plan with the workflows it references, from its source; secrets opened (strict: an error without the key). */
  private async resolve(name: string, strict: boolean): Promise<{ snapshot: PlanSnapshot; source: string }> {
    const catalog = await this.catalog();
    const entry = resolvePlan(catalog, name);
    const snapshot = openSealed(this.secrets, snapshotOf(catalog, entry), `DR plan "${qualifiedName(entry.source, entry.plan)}"`, strict);
    return { snapshot, source: entry.source };
  }

  /** The plan with the workflows it references, frozen for an execution (secrets opened). */
  async snapshot(name: string): Promise<PlanSnapshot> {
    return (await this.resolve(name, true)).snapshot;
  }

  private async checkClusters(rendering: PlanRendering, snapshot: PlanSnapshot): Promise<void> {
    const clusters = await this.deps.clusterNames?.();
    if (clusters) checkRenderedClusterRefs(rendering, snapshot.plan.spec.clusterRef, clusters);
  }

  /** The dry run: every action rendered; secret headers, secret parameters and sealed values redacted. */
  async dryRun(name: string, overrides: Record<string, string> = {}): Promise<PlanRendering & { source: string }> {
    const { snapshot, source } = await this.resolve(name, false);
    const rendering = renderSnapshot(snapshot, overrides);
    await this.checkClusters(rendering, snapshot);
    const secret = secretParamNames(snapshot.workflows);
    const values = runSecrets(snapshot, rendering);
    for (const stage of rendering.stages) {
      for (const wf of stage.workflows) {
        wf.params = redactParams(wf.params, secret) as typeof wf.params;
        for (const a of wf.actions) {
          a.action = redactAction(a.action);
          if (a.rollback) a.rollback = redactAction(a.rollback);
        }
      }
    }
    return { ...scrubDeep(rendering, values), source };
  }

  /** Creates a Pending Execute (after a full dry run); a plan with an active execution is refused by the database. */
  async startExecute(name: string, overrides: Record<string, string> = {}): Promise<ExecutionRecord> {
    const { snapshot, source } = await this.resolve(name, true);
    const id = newExecutionId(snapshot.plan.metadata.name);
    const rendering = renderSnapshot(snapshot, overrides, id);
    await this.checkClusters(rendering, snapshot);
    const what = `DR plan "${snapshot.plan.metadata.name}"`;
    const sealedSnapshot = sealSnapshot(this.secrets, snapshot, what);
    const params = sealOverrides(this.secrets, overrides, secretParamNames(snapshot.workflows), what);
    return audited(this.deps, 'dr.execute', `${namespaceOf(snapshot.plan)}/${snapshot.plan.metadata.name}`, async () => {
      const execution = await insertExecution(this.deps.db, {
        id, planNamespace: namespaceOf(snapshot.plan), planName: snapshot.plan.metadata.name, kind: 'Execute', params, snapshot: sealedSnapshot,
        parentId: null, actor: actorName(this.deps.actor), planSource: source, actions: actionKeysOf(rendering),
      });
      await this.publish('execution.created', id, { plan: execution.planName, kind: 'Execute', source });
      return publicRecord(execution);
    }, (e) => ({ execution: e.id, source }));
  }

  /** Creates a Pending Revert undoing the actions of a finished Execute that are still Succeeded. */
  async startRevert(executionId: string): Promise<ExecutionRecord> {
    const parent = await getExecution(this.deps.db, executionId);
    if (parent.kind !== 'Execute') throw new ValidationError(`${executionId} is a Revert`, 'Revert the Execute it undid instead.', 'execution');
    if (!FINISHED.has(parent.phase)) throw new ValidationError(`execution ${executionId} is still ${parent.phase}`, `Wait for it to finish or cancel it first (fleetdeck dr cancel ${executionId}).`, 'execution');
    const storedSnapshot = await getSnapshot(this.deps.db, parent.id);
    const what = `execution ${parent.id}`;
    const revert = newRevert({
      parent, storedSnapshot, snapshot: openSealed(this.secrets, storedSnapshot, what, true), params: openSealed(this.secrets, parent.params, what, true),
      statuses: await listActionStatuses(this.deps.db, parent.id), reverts: await listReverts(this.deps.db, parent.id), actor: actorName(this.deps.actor),
    });
    return audited(this.deps, 'dr.revert', `${parent.planNamespace}/${parent.planName}`, async () => {
      const execution = await insertExecution(this.deps.db, revert);
      await this.publish('execution.created', revert.id, { plan: execution.planName, kind: 'Revert', parent: parent.id });
      return publicRecord(execution);
    }, (e) => ({ execution: e.id, reverts: parent.id }));
  }

  /** Runs a Pending execution (or resumes one whose process died) in this process, to its end. */
  async run(id: string, options: RunOptions = {}): Promise<RunOutcome> {
    const outcome = await runExecution(this.executorDeps, id, { leaseMs: this.leaseMs, ...options });
    const revert = 'revert' in outcome && outcome.revert ? { revert: publicRecord(outcome.revert) } : {};
    return { ...outcome, execution: publicRecord(outcome.execution), ...revert } as RunOutcome;
  }

  async status(id: string): Promise<ExecutionView> {
    const execution = await getExecution(this.deps.db, id);
    const [actions, reverts] = await Promise.all([listActionStatuses(this.deps.db, id), execution.kind === 'Execute' ? listReverts(this.deps.db, id) : Promise.resolve([])]);
    return {
      ...publicRecord(execution), actions, status: executionStatusOf(execution, actions),
      reverts: reverts.map((r) => ({ id: r.id, phase: r.phase, automatic: r.automatic })),
    };
  }

  /**
   * Requests cancellation. A Pending execution nobody runs is cancelled at once; a Running one is stopped by its
   * runner at its next heartbeat; one whose runner died (its lease expired) is taken over and finished as Canceled
   * here, so a dead runner never leaves its plan blocked. With `waitMs`, waits that long for the execution to end.
   */
  async cancel(id: string, options: CancelOptions = {}): Promise<ExecutionRecord> {
    return audited(this.deps, 'dr.cancel', id, async () => {
      let execution = await requestCancel(this.deps.db, id);
      await this.publish('execution.cancel-requested', id, {});
      const requested = Date.now();
      const deadline = requested + (options.waitMs ?? 0);
      let told = false;
      for (;;) {
        if (execution.phase === 'Running') execution = (await cancelAbandoned(this.executorDeps, id, { leaseMs: this.leaseMs })) ?? execution;
        if (FINISHED.has(execution.phase) || Date.now() >= deadline) return publicRecord(execution);
        if (!told && Date.now() - requested >= CANCEL_NOTICE_MS) {
          told = true;
          options.onWaiting?.(publicRecord(execution));
        }
        await new Promise((r) => setTimeout(r, Math.min(250, Math.max(0, deadline - Date.now()))));
        execution = await getExecution(this.deps.db, id);
      }
    }, (e) => ({ phase: e.phase }));
  }

  /** Waits until the execution is finished, polling (the runner may be another process). */
  async follow(id: string, onUpdate?: (view: ExecutionView) => void, pollMs = 300): Promise<ExecutionView> {
    for (;;) {
      const view = await this.status(id);
      onUpdate?.(view);
      if (FINISHED.has(view.phase)) return view;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  /**
   * The plan as an Argo Workflow (seed 004 §11.3): `operation` Execute (default) or Revert; a Revert of one
   * execution (`execution`) deletes what that Execute recorded, else the plan's actions are undone as a whole.
   */
  async exportArgo(name: string, options: ArgoExportOptions & { operation?: 'Execute' | 'Revert'; execution?: string } = {}): Promise<KubeObject> {
    if (options.execution) {
      const parent = await getExecution(this.deps.db, options.execution);
      if (parent.kind !== 'Execute') throw new ValidationError(`${parent.id} is a Revert`, 'Export the Revert of the Execute it undid.', 'execution');
      const what = `execution ${parent.id}`;
      const snapshot = openSealed(this.secrets, await getSnapshot(this.deps.db, parent.id), what, false);
      const params = openSealed(this.secrets, parent.params, what, false);
      const steps = planRevert(snapshot, parent, await listActionStatuses(this.deps.db, parent.id), { undo: 'pending', params });
      // Rendered with real values: the plan's secret values must not be written out.
      return scrubDeep(toArgoRevertOfExecution(snapshot, steps.map((s) => ({ ...s.step, stage: s.key.stage, action: s.key.action })), options), runSecrets(snapshot, renderSnapshot(snapshot, params, parent.id)));
    }
    const { snapshot } = await this.resolve(name, false);
    return options.operation === 'Revert' ? toArgoRevertWorkflow(snapshot, options) : toArgoWorkflow(snapshot, options);
  }

  /** Executions no live process runs (Pending, or Running with an expired lease): for `fleetdeck daemon`. */
  orphaned(leaseMs?: number): Promise<string[]> {
    return orphanedExecutions(this.deps.db, leaseMs ?? this.leaseMs);
  }

  private async publish(type: string, target: string, data: Record<string, unknown>): Promise<void> {
    await this.deps.relay?.publish({ topic: 'dr', type, target, data }).catch(() => undefined);
  }
}

export interface DrServiceOptions {
  handlers?: ActionHandlers;
  secrets?: SecretBox | null;
  /** Extra clusters whose DRPlan custom resources count (`--cluster NAME`), besides the management cluster. */
  clusters?: readonly string[];
}

/** A DrService over an engine's database, relay, actor, fleet and inventory. */
export function drServiceFor(engine: Engine, opts: DrServiceOptions = {}): DrService {
  return new DrService({
    db: engine.db, actor: engine.actor, readonly: engine.config.readonly, relay: engine.relay,
    kube: async (cluster) => (await engine.fleet()).kube(cluster),
    planClusters: [MANAGEMENT_CLUSTER, ...(opts.clusters ?? [])],
    clusterNames: async () => [MANAGEMENT_CLUSTER, ...(await engine.inventory.list()).map((c) => c.name)],
    ...(opts.handlers ? { handlers: opts.handlers } : {}),
    ...(opts.secrets !== undefined ? { secrets: opts.secrets } : {}),
  });
}

export { STORED_SOURCE };
