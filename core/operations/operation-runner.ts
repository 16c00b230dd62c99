import type { OperationEventType } from '../events.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { MutationContext } from '../audit/audited.js';
import { audited } from '../audit/audited.js';
import { recordAudit } from '../audit/audit-log.js';
import { SqlState, isPgError } from '../db/database.js';
import type { EventRelay } from '../db/notifications.js';
import { ConflictError, FleetError, NotFoundError, asFleetError } from '../errors.js';
import {
  addWarning, claimLease, heartbeat, insertOperation, listOperations, loadOperation, noteStep, releaseLease, setOperation, setStep,
} from './journal.js';
import type { OperationKind, OperationRecord, StepContext, StepDefinition, StepOutputs, StepStatus } from './types.js';

export interface OperationRunnerDeps extends MutationContext {
  relay: EventRelay;
}

function processIsDead(pid: number, host: string): boolean {
  if (host !== hostname()) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

const HEARTBEAT_MS = 5_000;

/** Step states whose effect may have happened, so undo must compensate them. */
const RAN: readonly StepStatus[] = ['succeeded', 'started', 'failed', 'compensating'];

/** Starts, resumes and undoes journaled operations. Any process can resume any operation. */
export class OperationRunner {
  private readonly kinds = new Map<string, OperationKind>();
  private readonly loaders = new Map<string, () => Promise<OperationKind>>();
  private readonly holder = { id: randomUUID(), pid: process.pid, host: hostname() };

  constructor(private readonly deps: OperationRunnerDeps) {}

  register(kind: OperationKind): void {
    this.kinds.set(kind.kind, kind);
  }

  /** Registers a kind whose modules load only when an operation of it is started, resumed or undone. */
  registerLazy(kind: string, load: () => Promise<OperationKind>): void {
    this.loaders.set(kind, load);
  }

  list(limit?: number): Promise<OperationRecord[]> {
    return listOperations(this.deps.db, limit);
  }

  async show(id: number): Promise<OperationRecord> {
    const op = await loadOperation(this.deps.db, id);
    if (!op) throw new NotFoundError('operation', String(id), 'List operations with `fleetdeck ops ls`.');
    return op;
  }

  /** Journals a new operation, then runs it to the end or to its first failing step. */
  async start(kind: string, target: string, params: Record<string, unknown>): Promise<OperationRecord> {
    const definition = await this.kind(kind);
    const steps = definition.steps(params);
    return audited(this.deps, kind, target, async () => {
      let id: number;
      try {
        id = await this.deps.db.transaction((tx) => insertOperation(tx, {
          kind, target, params, actor: `${this.deps.actor.user}@${this.deps.actor.host}`, steps: steps.map((s) => s.name),
        }));
      } catch (error) {
        if (isPgError(error) && error.code === SqlState.uniqueViolation) throw await this.activeConflict(target);
        throw error;
      }
      await this.publish('operation.started', id, target);
      return this.drive(id, steps, params);
    }, (op) => ({ operation: op.id, status: op.status }));
  }

  async resume(id: number): Promise<OperationRecord> {
    const op = await this.show(id);
    const resumed = await audited(this.deps, 'ops.resume', `${op.kind} ${op.target}`, async () => {
      if (op.status === 'succeeded') return op;
      if (op.status === 'undone' || op.status === 'undoing' || op.status === 'undo_failed') {
        throw new ConflictError(`operation ${id} was undone and cannot be resumed`,
          op.status === 'undone' ? 'Start a new one instead.' : `Finish the undo with \`fleetdeck ops undo ${id}\`.`);
      }
      try {
        await setOperation(this.deps.db, id, { status: 'running' });
      } catch (error) {
        if (isPgError(error) && error.code === SqlState.uniqueViolation) throw await this.activeConflict(op.target);
        throw error;
      }
      try {
        return await this.drive(id, (await this.kind(op.kind)).steps(op.params), op.params);
      } catch (error) {
        await this.auditOperation(op, 'failed', asFleetError(error).message);
        throw error;
      }
    }, (result) => ({ operation: id, status: result.status }));
    await this.auditOperation(op, resumed.status === 'succeeded' ? 'ok' : 'failed');
    return resumed;
  }

  /**
   * An operation started by a process that was killed has no audit entry of its own kind (the starting process
   * writes it when the operation ends): the process that finishes it writes one, once.
   */
  private async auditOperation(op: OperationRecord, result: 'ok' | 'failed', error?: string): Promise<void> {
    // The starting process's entry (ok, or failed with the step's error) is the only one of this kind and target
    // written since the operation was created: a second operation on a target waits for this one to finish.
    const written = await this.deps.db.query(
      'SELECT 1 FROM audit_log WHERE action = $1 AND target = $2 AND at >= $3::timestamptz LIMIT 1', [op.kind, op.target, op.createdAt]);
    if (written.rows.length > 0) return;
    await recordAudit(this.deps.db, this.deps.actor, {
      action: op.kind, target: op.target, result, details: { operation: op.id, resumed: true, ...(error ? { error } : {}) },
    }).catch(() => undefined);
  }

  /**
   * Compensates every step that ran, last first. Refused, before anything is touched, when a step that ran has no
   * compensation (a delete, a repair): saying "undone" while nothing was restored would be a lie.
   */
  async undo(id: number): Promise<OperationRecord> {
    const op = await this.show(id);
    return audited(this.deps, 'ops.undo', `${op.kind} ${op.target}`, async () => {
      if (op.status === 'undone') return op;
      const steps = (await this.kind(op.kind)).steps(op.params);
      const stuck = op.steps.filter((record) => RAN.includes(record.status) && !steps.find((s) => s.name === record.name)?.undo);
      if (stuck.length > 0) {
        const finished = op.status === 'succeeded';
        throw new ConflictError(
          `operation ${id} (${op.kind} ${op.target}) cannot be undone: ${stuck.map((s) => `"${s.name}"`).join(', ')} ${stuck.length === 1 ? 'has' : 'have'} no compensation`,
          finished ? `Nothing was changed. ${op.kind} cannot be rolled back; to get the old state back, create or repair it anew (\`fleetdeck drift\` shows what differs).`
            : `Nothing was changed. Finish it instead with \`fleetdeck ops resume ${id}\`.`,
          { operation: id, steps: stuck.map((s) => s.name) });
      }
      await this.withLease(id, async () => {
        await setOperation(this.deps.db, id, { status: 'undoing' });
        await this.publish('operation.undoing', id, op.target);
        const ctx = this.context(id, op.params, op);
        for (const record of [...op.steps].reverse()) {
          const definition = steps.find((s) => s.name === record.name);
          if (!definition?.undo || !RAN.includes(record.status)) continue;
          await setStep(this.deps.db, id, record.position, { status: 'compensating' });
          await this.publish('step.compensating', id, op.target, record.name);
          try {
            await definition.undo(ctx, record.outputs);
          } catch (error) {
            const failure = asFleetError(error);
            await setStep(this.deps.db, id, record.position, { status: 'failed', error: failure.message });
            await setOperation(this.deps.db, id, { status: 'undo_failed', error: `undoing ${record.name}: ${failure.message}`,
              hint: `${failure.hint} Then run \`fleetdeck ops undo ${id}\` again.` });
            await this.publish('operation.undo_failed', id, op.target);
            throw new FleetError(failure.code, `undoing step "${record.name}" of operation ${id} failed: ${failure.message}`,
              `${failure.hint} Then run \`fleetdeck ops undo ${id}\` again.`, { operation: id });
          }
          await setStep(this.deps.db, id, record.position, { status: 'compensated' });
          await this.publish('step.compensated', id, op.target, record.name);
        }
        await setOperation(this.deps.db, id, { status: 'undone' });
        await this.publish('operation.undone', id, op.target);
      });
      // A create killed and then rolled back still leaves its own audit entry, as one that ends normally does.
      await this.auditOperation(op, 'failed', 'rolled back with ops undo');
      return this.show(id);
    }, (result) => ({ operation: id, status: result.status }));
  }

  private async kind(kind: string): Promise<OperationKind> {
    const load = this.loaders.get(kind);
    if (!this.kinds.has(kind) && load) this.register(await load());
    const definition = this.kinds.get(kind);
    if (!definition) throw new FleetError('INTERNAL', `no operation kind "${kind}" is registered`, 'This is a bug in fleetdeck.');
    return definition;
  }

  private async activeConflict(target: string): Promise<ConflictError> {
    const active = await this.deps.db.query<{ id: number; kind: string }>(
      "SELECT id, kind FROM operations WHERE target = $1 AND status IN ('running', 'undoing')", [target]);
    const row = active.rows[0];
    return new ConflictError(
      row ? `operation ${row.id} (${row.kind}) on ${target} is unfinished` : `another operation on ${target} is unfinished`,
      row ? `Finish it with \`fleetdeck ops resume ${row.id}\` or roll it back with \`fleetdeck ops undo ${row.id}\`.` : 'See `fleetdeck ops ls`.',
      row ? { operation: Number(row.id) } : {});
  }

  private context(id: number, params: Record<string, unknown>, op: OperationRecord | null): StepContext {
    const outputs: Record<string, StepOutputs> = {};
    for (const step of op?.steps ?? []) if (step.status === 'succeeded') outputs[step.name] = step.outputs;
    return {
      operationId: id, params, outputs, attempt: 1, journaled: {},
      note: async () => {
        throw new FleetError('INTERNAL', 'note() called outside a running step', 'This is a bug in fleetdeck.');
      },
      warn: (message) => {
        void addWarning(this.deps.db, id, message).catch(() => undefined);
      },
    };
  }

  private async withLease<T>(id: number, run: () => Promise<T>): Promise<T> {
    if (!(await claimLease(this.deps.db, id, this.holder, processIsDead))) {
      throw new ConflictError(`operation ${id} is being run by another fleetdeck process`,
        'Wait for it to finish, or, if that process is gone, try again in 30 seconds.');
    }
    const timer = setInterval(() => {
      void heartbeat(this.deps.db, id, this.holder.id).catch(() => undefined);
    }, HEARTBEAT_MS);
    timer.unref();
    try {
      return await run();
    } finally {
      clearInterval(timer);
      await releaseLease(this.deps.db, id, this.holder.id).catch(() => undefined);
    }
  }

  /** Runs from the first step that has not succeeded. */
  private async drive(id: number, steps: StepDefinition[], params: Record<string, unknown>): Promise<OperationRecord> {
    await this.withLease(id, async () => {
      const op = await this.show(id);
      const ctx = this.context(id, params, op);
      for (const record of op.steps) {
        if (record.status === 'succeeded' || record.status === 'skipped') continue;
        const definition = steps.find((s) => s.name === record.name);
        if (!definition) continue;
        await setStep(this.deps.db, id, record.position, { status: 'started' });
        await this.publish('step.started', id, op.target, record.name);
        ctx.attempt = record.attempts + 1;
        ctx.journaled = record.outputs;
        ctx.note = async (noted) => {
          ctx.journaled = { ...ctx.journaled, ...noted };
          await noteStep(this.deps.db, id, record.position, noted);
        };
        try {
          const outputs = (await definition.run(ctx)) ?? {};
          ctx.outputs[record.name] = outputs;
          await setStep(this.deps.db, id, record.position, { status: 'succeeded', outputs });
          await this.publish('step.succeeded', id, op.target, record.name);
        } catch (error) {
          const failure = asFleetError(error);
          await setStep(this.deps.db, id, record.position, { status: 'failed', error: failure.message });
          if (definition.failureIsWarning) {
            await addWarning(this.deps.db, id, `${record.name}: ${failure.message}`);
            await this.publish('step.warning', id, op.target, record.name);
            continue;
          }
          const hint = steps.every((s) => s.undo)
            ? `${failure.hint} Then run \`fleetdeck ops resume ${id}\`, or \`fleetdeck ops undo ${id}\` to roll back.`
            : `${failure.hint} Then run \`fleetdeck ops resume ${id}\` to finish it (${op.kind} cannot be rolled back).`;
          await setOperation(this.deps.db, id, { status: 'failed', error: `${record.name}: ${failure.message}`, hint });
          await this.publish('operation.failed', id, op.target, record.name);
          throw new FleetError(failure.code, `step "${record.name}" of operation ${id} (${op.kind} ${op.target}) failed: ${failure.message}`,
            hint, { operation: id, step: record.name });
        }
      }
      await setOperation(this.deps.db, id, { status: 'succeeded' });
      await this.publish('operation.succeeded', id, op.target);
    });
    return this.show(id);
  }

  private publish(type: OperationEventType, id: number, target: string, step?: string): Promise<void> {
    return this.deps.relay.publish({ topic: 'operations', type, target: String(id), data: { target, ...(step ? { step } : {}) } });
  }
}
