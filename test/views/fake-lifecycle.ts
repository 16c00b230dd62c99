import type { OperationEventType } from '../../core/events.js';
import type { Provider } from '../../core/inventory/types.js';
import type { OperationRecord, StepStatus } from '../../core/operations/types.js';
import type { LifecycleSource } from '../../views/source.js';
import { cluster } from './fixtures.js';
import type { MemorySource } from './fixtures.js';
import { operation } from './fake-drift.js';

/** The steps the engine's env.create and env.delete run (core/lifecycle/create-kind.ts, delete-kind.ts). */
export const CREATE_STEPS = ['validate', 'inventory', 'git-branch', 'cluster', 'portainer', 'argocd', 'haproxy'];
export const DELETE_STEPS = ['cluster', 'portainer', 'argocd', 'haproxy', 'git-branch', 'inventory'];

/**
 * Operations in memory, publishing the runner's events. With `manual`, each step waits for `next()`, so a
 * test can look at the screen between steps; `failAt` fails that step as the runner does.
 */
export class MemoryLifecycle implements LifecycleSource {
  manual = false;
  failAt: string | null = null;
  ops = new Map<number, OperationRecord>();
  private nextId = 100;
  private waiting: (() => void)[] = [];

  constructor(private readonly source: MemorySource) {}

  /** Lets the waiting step run; resolves once one was waiting. */
  async next(): Promise<void> {
    while (this.waiting.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    this.waiting.shift()?.();
  }

  create(name: string, provider: Provider): Promise<OperationRecord> {
    return this.run('env.create', name, CREATE_STEPS, (step) => {
      if (step === 'inventory') this.source.add(cluster(name, 0, { provider }));
    });
  }

  delete(name: string): Promise<OperationRecord> {
    return this.run('env.delete', name, DELETE_STEPS, (step) => {
      if (step !== 'inventory') return;
      this.source.rows = this.source.rows.filter((row) => row.name !== name);
      this.source.emit({ topic: 'inventory', type: 'cluster.removed', target: name, origin: 'local' });
    });
  }

  async showOperation(id: number): Promise<OperationRecord> {
    const op = this.ops.get(id);
    if (!op) throw new Error(`no operation ${id}`);
    return structuredClone(op);
  }

  private publish(type: OperationEventType, op: OperationRecord, step?: string): void {
    this.source.emit({ topic: 'operations', type, target: String(op.id), data: { target: op.target, ...(step ? { step } : {}) }, origin: 'local' });
  }

  private async run(kind: string, target: string, steps: string[], effect: (step: string) => void): Promise<OperationRecord> {
    const op = operation(this.nextId++, kind, target, 'running', steps.map((name) => [name, 'pending']));
    this.ops.set(op.id, op);
    this.publish('operation.started', op);
    const set = (position: number, status: StepStatus, error?: string) => {
      const step = op.steps[position]!;
      step.status = status;
      step.error = error ?? null;
    };
    for (const step of op.steps) {
      set(step.position, 'started');
      this.publish('step.started', op, step.name);
      await (this.manual ? new Promise<void>((resolve) => this.waiting.push(resolve)) : new Promise((r) => setTimeout(r, 2)));
      if (this.failAt === step.name) {
        set(step.position, 'failed', 'k3d cluster create exited with 1');
        op.status = 'failed';
        op.error = `${step.name}: k3d cluster create exited with 1`;
        // As the runner words it: a delete cannot be rolled back, so only resume is offered.
        op.hint = kind === 'env.delete' ? `Then run \`fleetdeck ops resume ${op.id}\` to finish it (env.delete cannot be rolled back).`
          : `Then run \`fleetdeck ops resume ${op.id}\`, or \`fleetdeck ops undo ${op.id}\` to roll back.`;
        this.publish('operation.failed', op, step.name);
        throw Object.assign(new Error(`step "${step.name}" of operation ${op.id} (${kind} ${target}) failed: k3d cluster create exited with 1`),
          { code: 'UNAVAILABLE', hint: op.hint, details: { operation: op.id, step: step.name } });
      }
      effect(step.name);
      set(step.position, 'succeeded');
      this.publish('step.succeeded', op, step.name);
    }
    op.status = 'succeeded';
    this.publish('operation.succeeded', op);
    return structuredClone(op);
  }
}
