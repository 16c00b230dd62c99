/** An in-memory DR source for the DR panel's view tests: it answers as DrService does and emits `dr` events. */
import { ConflictError } from '../../core/errors.js';
import type { PlanSummary } from '../../core/dr/dr-service.js';
import type { RunOutcome } from '../../core/dr/executor/index.js';
import type { PlanRendering } from '../../core/dr/render/plan.js';
import type { ActionStatusRecord, ExecutionRecord, ExecutionView } from '../../core/dr/store/types.js';
import type { DrSource } from '../../views/panels/dr-source.js';
import type { MemorySource } from './fixtures.js';

const ago = (ms: number): string => new Date(Date.now() - ms).toISOString();

export function execution(id: string, plan: string, phase: ExecutionRecord['phase'], overrides: Partial<ExecutionRecord> = {}): ExecutionRecord {
  return {
    id, planNamespace: 'default', planName: plan, kind: 'Execute', phase, params: {}, parentId: null, message: null, actor: 'ana@jumpbox',
    cancelRequested: false, createdAt: ago(60_000), startedAt: phase === 'Pending' ? null : ago(59_000),
    finishedAt: phase === 'Pending' || phase === 'Running' ? null : ago(50_000), leaseHolder: null, planSource: 'stored', automatic: false,
    ...overrides,
  } as ExecutionRecord;
}

export function action(position: number, stage: string, name: string, phase: ActionStatusRecord['phase'], overrides: Partial<ActionStatusRecord> = {}): ActionStatusRecord {
  const started = phase === 'Pending' || phase === 'Skipped' ? null : ago(10_000);
  const finished = started && phase !== 'Running' ? new Date(Date.parse(started) + 400).toISOString() : null;
  return {
    position, stage, workflow: `default/${stage}-wf`, action: name, type: 'HTTP', phase, attempts: started ? 1 : 0, outputs: {}, error: null,
    startedAt: started, finishedAt: finished, ...overrides,
  };
}

/** A plan whose dry run has one HTTP action with a (redacted) Authorization header (only the fields the panel reads). */
export function rendering(plan: string): PlanRendering {
  return ({
    planName: plan,
    stages: [{
      name: 'failover', dependsOn: [], parallel: false, failurePolicy: 'Stop', level: 0,
      workflows: [{
        stage: 'failover', workflowRef: { name: 'failover-wf', namespace: 'default' }, key: 'default/failover-wf', params: { notifyURL: 'http://127.0.0.1:1/hooks' },
        failurePolicy: 'FailFast',
        actions: [{
          name: 'notify-start', type: 'HTTP', dependsOn: [], level: 0, when: null, rollback: null,
          action: { name: 'notify-start', type: 'HTTP', http: { url: 'http://127.0.0.1:1/hooks/start', method: 'POST', headers: { Authorization: '******' } } },
        }],
      }],
    }],
  }) as unknown as PlanRendering;
}

export class FakeDr implements DrSource {
  plans: PlanSummary[] = [
    { name: 'failover-web', namespace: 'default', description: 'Fail the web tier over', stages: 1, lastExecution: null } as PlanSummary,
    { name: 'switchover-db', namespace: 'default', description: 'Switch the database over', stages: 2, lastExecution: null } as PlanSummary,
  ];
  /** Newest first, as DrService lists them. */
  executions: ExecutionRecord[] = [];
  actions = new Map<string, ActionStatusRecord[]>();
  calls: string[] = [];
  dryRuns: string[] = [];
  statusReads = 0;
  /** Resolves a `run` the test holds open. */
  private finishers = new Map<string, (phase: ExecutionRecord['phase']) => void>();
  private counter = 0;

  constructor(private readonly source: MemorySource) {}

  add(record: ExecutionRecord, actions: ActionStatusRecord[]): void {
    this.executions = [record, ...this.executions.filter((e) => e.id !== record.id)];
    this.actions.set(record.id, actions);
  }

  setPhase(id: string, phase: ExecutionRecord['phase']): void {
    this.executions = this.executions.map((e) => (e.id === id ? { ...e, phase, finishedAt: phase === 'Running' ? null : new Date().toISOString() } : e));
  }

  emit(type: string, target: string): void {
    this.source.emit({ topic: 'dr', type, target });
  }

  async listPlans(): Promise<PlanSummary[]> {
    return this.plans.map((p) => {
      const last = this.executions.find((e) => e.planName === p.name);
      return { ...p, lastExecution: last ? { id: last.id, kind: last.kind, phase: last.phase, createdAt: last.createdAt } : null };
    });
  }

  async listExecutions(limit = 50): Promise<ExecutionRecord[]> {
    return this.executions.slice(0, limit);
  }

  async status(id: string): Promise<ExecutionView> {
    this.statusReads += 1;
    const record = this.executions.find((e) => e.id === id);
    if (!record) throw new Error(`no execution ${id}`);
    return { ...record, actions: (this.actions.get(id) ?? []).map((a) => ({ ...a })), status: {}, reverts: [] } as unknown as ExecutionView;
  }

  async dryRun(plan: string): Promise<PlanRendering> {
    this.dryRuns.push(plan);
    return rendering(plan.split('/').pop()!);
  }

  async startExecute(plan: string): Promise<ExecutionRecord> {
    this.calls.push(`startExecute ${plan}`);
    const name = plan.split('/').pop()!;
    const active = this.executions.find((e) => e.planName === name && (e.phase === 'Pending' || e.phase === 'Running'));
    if (active) {
      throw new ConflictError(`DR plan "${name}" already has an active execution: Execute ${active.id} (${active.phase}, started by ana@jumpbox)`,
        `Wait for it to finish (fleetdeck dr status ${active.id}) or cancel it (fleetdeck dr cancel ${active.id}).`);
    }
    this.counter += 1;
    const record = execution(`${name}-new${this.counter}`, name, 'Pending', { createdAt: new Date().toISOString() });
    this.add(record, [action(0, 'failover', 'notify-start', 'Pending'), action(1, 'failover', 'notify-done', 'Pending')]);
    this.emit('execution.created', record.id);
    return record;
  }

  async startRevert(id: string): Promise<ExecutionRecord> {
    this.calls.push(`startRevert ${id}`);
    const parent = this.executions.find((e) => e.id === id)!;
    this.counter += 1;
    const record = execution(`${parent.planName}-revert${this.counter}`, parent.planName, 'Pending', { kind: 'Revert', parentId: id, createdAt: new Date().toISOString() });
    this.add(record, [action(0, 'failover', 'notify-start', 'Pending')]);
    this.emit('execution.created', record.id);
    return record;
  }

  /** Marks the execution Running and holds until the test calls finish(id, phase). */
  run(id: string): Promise<RunOutcome> {
    this.calls.push(`run ${id}`);
    this.setPhase(id, 'Running');
    this.emit('execution.running', id);
    return new Promise((resolve) => {
      this.finishers.set(id, (phase) => {
        this.setPhase(id, phase);
        this.emit('execution.finished', id);
        resolve({ ran: true, execution: this.executions.find((e) => e.id === id)! });
      });
    });
  }

  finish(id: string, phase: ExecutionRecord['phase']): void {
    this.finishers.get(id)?.(phase);
  }

  async cancel(id: string): Promise<ExecutionRecord> {
    this.calls.push(`cancel ${id}`);
    this.setPhase(id, 'Canceled' as ExecutionRecord['phase']);
    this.emit('execution.cancel-requested', id);
    return this.executions.find((e) => e.id === id)!;
  }
}
