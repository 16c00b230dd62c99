/**
 * The DR service the CLI, cockpit and daemon call: store plans and workflows, dry-run, start, run, follow,
 * cancel and revert executions. Mutations go through `audited`; secrets never leave it unredacted.
 */
import { audited, type MutationContext } from '../audit/audited.js';
import type { Actor } from '../audit/audit-log.js';
import type { EventRelay } from '../db/notifications.js';
import type { Engine } from '../engine.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { KubeGateway } from '../kube/types.js';
import type { ActionHandlers } from './actions/types.js';
import { actionKeysOf, renderSnapshot, runExecution, planRevert, type RunOptions, type RunOutcome } from './executor/index.js';
import { redactAction } from './render/redact.js';
import type { PlanRendering } from './render/plan.js';
import { loadDRDocuments, namespaceOf, resolveWorkflowRef, type DRBundle } from './schema/load.js';
import type { DRPlan, DRWorkflow } from './schema/types.js';
import {
  findPlans, getExecution, getSnapshot, insertExecution, listActionStatuses, listExecutions, listPlans, listWorkflows, newExecutionId,
  orphanedExecutions, requestCancel, upsertResources, type ExecutionRecord, type ExecutionView, type PlanSnapshot,
} from './store/index.js';

export interface DrServiceDeps extends MutationContext {
  relay?: EventRelay;
  kube(clusterName: string): Promise<KubeGateway>;
  handlers?: ActionHandlers;
}

export interface PlanSummary {
  name: string;
  namespace: string;
  description: string;
  stages: number;
  lastExecution: Pick<ExecutionRecord, 'id' | 'kind' | 'phase' | 'createdAt'> | null;
}

const FINISHED = new Set(['Succeeded', 'Failed', 'Cancelled']);

function actorName(actor: Actor): string {
  return `${actor.user}@${actor.host}`;
}

export class DrService {
  constructor(private readonly deps: DrServiceDeps) {}

  /** Parses and validates a multi-document file; workflows already stored satisfy plan references. */
  async validate(text: string, source: string): Promise<DRBundle> {
    const known = (await listWorkflows(this.deps.db)).map((w) => ({ name: w.metadata.name, namespace: namespaceOf(w) }));
    const bundle = loadDRDocuments(text, { source, knownWorkflows: known });
    if (bundle.executions.length > 0) {
      throw new ValidationError(`${source} contains a DRPlanExecution`, 'Start executions with `fleetdeck dr execute PLAN`; apply only DRPlan and DRWorkflow documents.', source);
    }
    return bundle;
  }

  async apply(text: string, source: string): Promise<{ plans: string[]; workflows: string[] }> {
    const bundle = await this.validate(text, source);
    const names = (rs: (DRPlan | DRWorkflow)[]): string[] => rs.map((r) => `${namespaceOf(r)}/${r.metadata.name}`);
    return audited(this.deps, 'dr.apply', source, async () => {
      await this.deps.db.transaction((tx) => upsertResources(tx, [...bundle.workflows, ...bundle.plans], actorName(this.deps.actor)));
      await this.publish('resources.applied', source, {});
      return { plans: names(bundle.plans), workflows: names(bundle.workflows) };
    }, (r) => r);
  }

  async listPlans(): Promise<PlanSummary[]> {
    const [plans, executions] = await Promise.all([listPlans(this.deps.db), listExecutions(this.deps.db, 500)]);
    return plans.map((p) => {
      const last = executions.find((e) => e.planName === p.metadata.name && e.planNamespace === namespaceOf(p));
      return {
        name: p.metadata.name, namespace: namespaceOf(p), description: p.spec.description ?? '', stages: p.spec.stages.length,
        lastExecution: last ? { id: last.id, kind: last.kind, phase: last.phase, createdAt: last.createdAt } : null,
      };
    });
  }

  listExecutions(limit = 50): Promise<ExecutionRecord[]> {
    return listExecutions(this.deps.db, limit);
  }

  /** The plan with the workflows it references, frozen for an execution. */
  async snapshot(name: string): Promise<PlanSnapshot> {
    const [ns, plainName] = name.includes('/') ? name.split('/', 2) as [string, string] : [undefined, name];
    const plans = await findPlans(this.deps.db, plainName, ns);
    if (plans.length === 0) throw new NotFoundError('DR plan', name, 'List plans with `fleetdeck dr ls`, or store one with `fleetdeck dr apply -f FILE`.');
    if (plans.length > 1) throw new ValidationError(`DR plan "${name}" exists in several namespaces`, `Name it as NAMESPACE/NAME: ${plans.map((p) => `${namespaceOf(p)}/${p.metadata.name}`).join(', ')}.`, 'plan');
    const plan = plans[0]!;
    const all = await listWorkflows(this.deps.db);
    const refs = new Set(plan.spec.stages.flatMap((s) => s.workflows.map((w) => { const r = resolveWorkflowRef(plan, w.workflowRef); return `${r.namespace}/${r.name}`; })));
    return { plan, workflows: all.filter((w) => refs.has(`${namespaceOf(w)}/${w.metadata.name}`)) };
  }

  /** The dry run: every action rendered, secret headers redacted. Throws on any template or parameter error. */
  async dryRun(name: string, overrides: Record<string, string> = {}): Promise<PlanRendering> {
    const rendering = renderSnapshot(await this.snapshot(name), overrides);
    for (const stage of rendering.stages) {
      for (const wf of stage.workflows) {
        for (const a of wf.actions) {
          a.action = redactAction(a.action);
          if (a.rollback) a.rollback = redactAction(a.rollback);
        }
      }
    }
    return rendering;
  }

  /** Creates a Pending Execute (after a full dry run); a plan with an active execution is refused by the database. */
  async startExecute(name: string, overrides: Record<string, string> = {}): Promise<ExecutionRecord> {
    const snapshot = await this.snapshot(name);
    const id = newExecutionId(snapshot.plan.metadata.name);
    const rendering = renderSnapshot(snapshot, overrides, id);
    return audited(this.deps, 'dr.execute', `${namespaceOf(snapshot.plan)}/${snapshot.plan.metadata.name}`, async () => {
      const execution = await insertExecution(this.deps.db, {
        id, planNamespace: namespaceOf(snapshot.plan), planName: snapshot.plan.metadata.name, kind: 'Execute', params: overrides, snapshot,
        parentId: null, actor: actorName(this.deps.actor), actions: actionKeysOf(rendering),
      });
      await this.publish('execution.created', id, { plan: execution.planName, kind: 'Execute' });
      return execution;
    }, (e) => ({ execution: e.id }));
  }

  /** Creates a Pending Revert undoing the succeeded actions of a finished Execute. */
  async startRevert(executionId: string): Promise<ExecutionRecord> {
    const parent = await getExecution(this.deps.db, executionId);
    if (parent.kind !== 'Execute') throw new ValidationError(`${executionId} is a Revert`, 'Revert the Execute it undid instead.', 'execution');
    if (!FINISHED.has(parent.phase)) throw new ValidationError(`execution ${executionId} is still ${parent.phase}`, `Wait for it to finish or cancel it first (fleetdeck dr cancel ${executionId}).`, 'execution');
    const snapshot = await getSnapshot(this.deps.db, parent.id);
    const steps = planRevert(snapshot, parent, await listActionStatuses(this.deps.db, parent.id));
    const id = newExecutionId(`${parent.planName}-revert`);
    return audited(this.deps, 'dr.revert', `${parent.planNamespace}/${parent.planName}`, async () => {
      const execution = await insertExecution(this.deps.db, {
        id, planNamespace: parent.planNamespace, planName: parent.planName, kind: 'Revert', params: parent.params, snapshot, parentId: parent.id,
        actor: actorName(this.deps.actor), actions: steps.map((s) => ({ ...s.key, type: s.type })),
      });
      await this.publish('execution.created', id, { plan: execution.planName, kind: 'Revert', parent: parent.id });
      return execution;
    }, (e) => ({ execution: e.id, reverts: parent.id }));
  }

  /** Runs a Pending execution (or resumes one whose process died) in this process, to its end. */
  run(id: string, options: RunOptions = {}): Promise<RunOutcome> {
    return runExecution({ db: this.deps.db, kube: (c) => this.deps.kube(c), ...(this.deps.relay ? { relay: this.deps.relay } : {}), ...(this.deps.handlers ? { handlers: this.deps.handlers } : {}) }, id, options);
  }

  async status(id: string): Promise<ExecutionView> {
    const execution = await getExecution(this.deps.db, id);
    return { ...execution, actions: await listActionStatuses(this.deps.db, id) };
  }

  async cancel(id: string): Promise<ExecutionRecord> {
    return audited(this.deps, 'dr.cancel', id, async () => {
      const execution = await requestCancel(this.deps.db, id);
      await this.publish('execution.cancel-requested', id, {});
      return execution;
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

  /** Executions no live process runs (Pending, or Running with an expired lease): for `fleetdeck daemon`. */
  orphaned(leaseMs?: number): Promise<string[]> {
    return orphanedExecutions(this.deps.db, leaseMs ?? 15_000);
  }

  private async publish(type: string, target: string, data: Record<string, unknown>): Promise<void> {
    await this.deps.relay?.publish({ topic: 'dr', type, target, data }).catch(() => undefined);
  }
}

/** A DrService over an engine's database, relay, actor and fleet (until the engine exposes `engine.dr`). */
export function drServiceFor(engine: Engine, handlers?: ActionHandlers): DrService {
  return new DrService({
    db: engine.db, actor: engine.actor, readonly: engine.config.readonly, relay: engine.relay,
    kube: async (cluster) => (await engine.fleet()).kube(cluster),
    ...(handlers ? { handlers } : {}),
  });
}
