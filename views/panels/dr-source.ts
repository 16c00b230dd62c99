import type { PlanSummary } from '../../core/dr/dr-service.js';
import type { RunOutcome } from '../../core/dr/executor/index.js';
import type { PlanRendering } from '../../core/dr/render/plan.js';
import type { ExecutionRecord, ExecutionView } from '../../core/dr/store/types.js';
import type { CockpitSource } from '../source.js';

/**
 * What the DR panel needs from the engine: plans, executions and their actions, the dry run, and starting,
 * running and cancelling executions. core/dr's DrService has exactly these methods; `src/tui` passes one as `dr`.
 * Plans are named `NAMESPACE/NAME`; `dr` events (created, running, progress, finished) say when something moved.
 */
export interface DrSource {
  listPlans(): Promise<PlanSummary[]>;
  listExecutions(limit?: number): Promise<ExecutionRecord[]>;
  status(id: string): Promise<ExecutionView>;
  /** Every action rendered, secret headers redacted. */
  dryRun(plan: string, overrides?: Record<string, string>): Promise<PlanRendering>;
  startExecute(plan: string, overrides?: Record<string, string>): Promise<ExecutionRecord>;
  startRevert(executionId: string): Promise<ExecutionRecord>;
  /** Runs a Pending execution in this process to its end (another process resumes it if this one quits). */
  run(id: string): Promise<RunOutcome>;
  cancel(id: string): Promise<ExecutionRecord>;
}

/** The optional member a cockpit source adds to have a DR panel (CockpitSource gains `dr?: DrSource`). */
export interface CockpitSourceWithDr extends CockpitSource {
  dr?: DrSource;
}

export function drSourceOf(source: CockpitSource): DrSource | undefined {
  return (source as CockpitSourceWithDr).dr;
}

/**
 * How the service names a plan: its unambiguous `ref` (`SOURCE:NAMESPACE/NAME`, when the service gives one: plans
 * may come from the database and from clusters), else `NAMESPACE/NAME`.
 */
export function planRef(plan: { namespace: string; name: string }): string {
  return (plan as { ref?: string }).ref ?? `${plan.namespace}/${plan.name}`;
}

/** The plan an execution ran, named as planRef names it. */
export function executionPlanRef(execution: { planNamespace: string; planName: string }): string {
  const source = (execution as { planSource?: string }).planSource;
  return `${source ? `${source}:` : ''}${execution.planNamespace}/${execution.planName}`;
}
