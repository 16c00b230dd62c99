/**
 * A cancellation finished for a runner that died (executor.ts finishCanceled): the Job actions it had in flight
 * still have Jobs running in their clusters. Each is stopped as a live runner stops its own on cancel (job.ts
 * stopJob): deleted with its pods, only if this execution's action created it. Returns the note for each action's
 * error. Execute only: a Revert's in-flight actions are deletions.
 */
import { jobNotStopped, stopJob } from '../actions/job.js';
import { kubeRefOf } from '../actions/kube-objects.js';
import type { KubeObjectReference } from '../schema/types.js';
import { openSealed } from '../secrets/sealing.js';
import { getSnapshot } from '../store/executions.js';
import { actionKeyString, type ActionStatusRecord, type ExecutionRecord } from '../store/types.js';
import { kubeResolver } from './execute.js';
import { renderSnapshot } from './plan-runs.js';
import type { ExecutorDeps } from './types.js';

export async function stopAbandonedJobs(deps: ExecutorDeps, execution: ExecutionRecord, running: readonly ActionStatusRecord[]): Promise<Map<ActionStatusRecord, string>> {
  const notes = new Map<ActionStatusRecord, string>();
  const jobs = running.filter((s) => s.type === 'Job' && jobRefOf(s) !== undefined);
  if (execution.kind !== 'Execute' || jobs.length === 0) return notes;
  try {
    const what = `execution ${execution.id}`;
    const snapshot = openSealed(deps.secrets ?? null, await getSnapshot(deps.db, execution.id), what, true);
    const params = openSealed(deps.secrets ?? null, execution.params, what, true);
    const rendering = renderSnapshot(snapshot, params, execution.id);
    const kubeFor = kubeResolver(deps, snapshot);
    for (const status of jobs) {
      const rendered = rendering.stages.find((s) => s.name === status.stage)?.workflows.find((w) => w.key === status.workflow)?.actions.find((a) => a.name === status.action);
      const ref = jobRefOf(status)!;
      if (!rendered) {
        notes.set(status, `Job ${ref.namespace}/${ref.name} may still run: its action is not in the plan any more`);
        continue;
      }
      const mark = { executionId: execution.id, planName: execution.planName, actionName: status.action, actionKey: actionKeyString(status) };
      notes.set(status, await stopJob(await kubeFor(rendered.action)(), kubeRefOf(ref), mark));
    }
  } catch (error) {
    for (const status of jobs) {
      if (notes.has(status)) continue;
      notes.set(status, jobNotStopped(jobRefOf(status)!, error));
    }
  }
  return notes;
}

function jobRefOf(status: ActionStatusRecord): KubeObjectReference | undefined {
  return status.outputs.jobRef?.name ? status.outputs.jobRef : undefined;
}
