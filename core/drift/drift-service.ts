/**
 * Drift for the CLI, the daemon and the cockpit: `scan()` reads every system once and diffs; `plan()` stores a
 * repair plan with the fingerprint it was made from; `apply(id)` runs exactly that plan as a journaled
 * `drift.repair` operation, and refuses it when the inventory or the fleet changed since (a stale plan).
 */
import { randomBytes } from 'node:crypto';
import type { MutationContext } from '../audit/audited.js';
import { audited } from '../audit/audited.js';
import { recordAudit } from '../audit/audit-log.js';
import type { EventRelay } from '../db/notifications.js';
import { ConflictError, FleetError, NotFoundError } from '../errors.js';
import type { FleetPortsSource } from '../lifecycle/ports.js';
import type { OperationRunner } from '../operations/operation-runner.js';
import type { OperationRecord } from '../operations/types.js';
import { collectSnapshot, type CollectOptions } from './collect.js';
import { diffFleet, uncheckedSources } from './diff.js';
import { chooseRepairs, orderedActions, snapshotFingerprint, type PlanOptions } from './plan.js';
import { insertPlan, loadPlan, movePlan, type RepairPlan } from './plan-store.js';
import { DRIFT_REPAIR, type RepairParams } from './repair-kind.js';
import type { DriftReport, FleetSnapshot } from './types.js';

export interface DriftServiceDeps extends MutationContext {
  relay: EventRelay;
  runner: OperationRunner;
  ports: FleetPortsSource;
  collect?: CollectOptions;
}

export interface ApplyResult {
  plan: RepairPlan;
  /** The `drift.repair` operation; null when the plan had nothing to do. */
  operation: OperationRecord | null;
}

export function reportOf(snapshot: FleetSnapshot): DriftReport {
  const size = <T>(o: { ok: true; value: T[] } | { ok: false }): number => (o.ok ? o.value.length : 0);
  return {
    checkedAt: snapshot.takenAt,
    items: diffFleet(snapshot),
    unchecked: uncheckedSources(snapshot),
    counts: {
      clusters: size(snapshot.inventory),
      branches: size(snapshot.branches),
      live: Object.values(snapshot.clusters).reduce((n, o) => n + size(o), 0),
      registrations: Object.values(snapshot.registrations).reduce((n, o) => n + size(o), 0),
    },
  };
}

export class DriftService {
  private last: DriftReport | null = null;

  constructor(private readonly deps: DriftServiceDeps) {}

  async snapshot(): Promise<FleetSnapshot> {
    return collectSnapshot(this.deps.db, await this.deps.ports(), this.deps.collect);
  }

  /** Reads the fleet, diffs it and tells subscribers (`drift` / `drift.scanned`). */
  async scan(): Promise<DriftReport> {
    const report = reportOf(await this.snapshot());
    this.last = report;
    await this.deps.relay.publish({ topic: 'drift', type: 'drift.scanned',
      data: { items: report.items.length, unchecked: report.unchecked.map((u) => u.source), checkedAt: report.checkedAt } });
    return report;
  }

  /** The report of the latest scan in this process, if any. */
  lastReport(): DriftReport | null {
    return this.last;
  }

  async plan(opts: PlanOptions = {}): Promise<RepairPlan> {
    return audited(this.deps, 'repair.plan', null, async () => {
      const snapshot = await this.snapshot();
      const report = reportOf(snapshot);
      if (!snapshot.inventory.ok) {
        throw new FleetError('UNAVAILABLE', `the inventory could not be read: ${snapshot.inventory.error}`, snapshot.inventory.hint);
      }
      const unknown = (opts.only ?? []).filter((id) => !report.items.some((i) => i.id === id));
      if (unknown.length > 0) {
        throw new NotFoundError('drift item', unknown.join(', '), 'List the current items with `fleetdeck drift`; they may be repaired already.');
      }
      const repairs = chooseRepairs(report.items, opts);
      const chosen = new Set(repairs.map((r) => r.itemId));
      const plan: RepairPlan = {
        id: `plan-${randomBytes(4).toString('hex')}`,
        fingerprint: snapshotFingerprint(snapshot),
        createdAt: new Date().toISOString(),
        actor: `${this.deps.actor.user}@${this.deps.actor.host}`,
        status: 'planned',
        operationId: null,
        items: report.items.filter((i) => chosen.has(i.id)),
        repairs,
        actions: orderedActions(repairs),
      };
      await insertPlan(this.deps.db, plan);
      await this.deps.relay.publish({ topic: 'drift', type: 'plan.created', target: plan.id, data: { actions: plan.actions.length } });
      return plan;
    }, (plan) => ({ plan: plan.id, items: plan.items.length, actions: plan.actions.length }));
  }

  async showPlan(id: string): Promise<RepairPlan> {
    const plan = await loadPlan(this.deps.db, id);
    if (!plan) throw new NotFoundError('repair plan', id, 'Make one with `fleetdeck repair --plan`.');
    return plan;
  }

  /**
   * Applies exactly the stored plan, if nothing it was made from has changed. Read-only refuses before anything is
   * written. The plan is claimed (planned → applying, one conditional UPDATE) before the fleet is compared with it,
   * so of two processes applying one plan only one compares and runs it, and a stale plan is refused by its claimant.
   */
  async apply(id: string): Promise<ApplyResult> {
    if (this.deps.readonly) await audited(this.deps, 'repair.apply', id, async () => undefined); // throws: read-only
    const plan = await this.showPlan(id);
    if (plan.status !== 'planned' || !(await movePlan(this.deps.db, id, 'planned', 'applying'))) {
      const now = plan.status === 'planned' ? (await this.showPlan(id)).status : plan.status;
      throw new ConflictError(
        now === 'applying' ? `plan ${id} is being applied by someone else`
          : `plan ${id} was ${now === 'refused' ? 'refused as stale' : `already ${now}`}; a plan is applied at most once`,
        now === 'applying' ? 'Watch it with `fleetdeck ops ls`.' : 'Make a new plan with `fleetdeck repair --plan`.', { plan: id, status: now });
    }
    let fingerprint: string;
    try {
      fingerprint = snapshotFingerprint(await this.snapshot());
    } catch (error) {
      await movePlan(this.deps.db, id, 'applying', 'planned');
      throw error;
    }
    if (fingerprint !== plan.fingerprint) {
      await movePlan(this.deps.db, id, 'applying', 'refused');
      await recordAudit(this.deps.db, this.deps.actor, { action: 'repair.apply', target: id, result: 'refused', details: { reason: 'stale' } });
      await this.deps.relay.publish({ topic: 'drift', type: 'plan.refused', target: id });
      throw new ConflictError(`plan ${id} is stale: the inventory or the fleet changed since it was made`,
        'Make a new plan with `fleetdeck repair --plan`, check it, and apply that one.', { plan: id });
    }
    return audited(this.deps, 'repair.apply', id, async () => {
      if (plan.actions.length === 0) {
        await movePlan(this.deps.db, id, 'applying', 'applied');
        return { plan: await this.showPlan(id), operation: null };
      }
      const params: RepairParams = { planId: id, actions: plan.actions };
      let operation: OperationRecord;
      try {
        operation = await this.deps.runner.start(DRIFT_REPAIR, `repair:${id}`, { ...params });
      } catch (error) {
        const opId = error instanceof FleetError && typeof error.details.operation === 'number' ? error.details.operation : undefined;
        await movePlan(this.deps.db, id, 'applying', 'failed', opId);
        throw error;
      }
      await movePlan(this.deps.db, id, 'applying', 'applied', operation.id);
      await this.deps.relay.publish({ topic: 'drift', type: 'plan.applied', target: id, data: { operation: operation.id } });
      return { plan: await this.showPlan(id), operation };
    }, (result) => ({ operation: result.operation?.id ?? null, actions: plan.actions.length }));
  }
}
