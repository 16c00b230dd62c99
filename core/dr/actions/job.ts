/**
 * The Job action: a batch/v1 Job with a deterministic name (plan, action, run scope, execution), so a resumed
 * executor re-attaches to the Job it already created instead of creating another. Seed 004's state mapping:
 *
 * | Job status      | action                       |
 * | --------------- | ---------------------------- |
 * | active > 0      | Running (keep watching)      |
 * | succeeded >= 1  | Succeeded                    |
 * | failed >= 1     | Failed                       |
 * | timeout         | Failed (timeout), by runAction's timer aborting the signal |
 *
 * The Job is watched (wait.ts), with a slower poll as a backstop.
 */
import { FleetError } from '../../errors.js';
import type { KubeObject } from '../../kube/types.js';
import { jobNameFor } from '../render/outputs.js';
import type { Action, ActionOutputs, KubeObjectReference } from '../schema/types.js';
import { ActionFailure, type ActionContext } from './types.js';
import { waitForObject, type Decision } from './wait.js';

export type JobState = 'Running' | 'Succeeded' | 'Failed';

export function jobState(job: KubeObject): JobState {
  const status = (job.status ?? {}) as { succeeded?: number; failed?: number; conditions?: { type?: string; status?: string }[] };
  if ((status.succeeded ?? 0) >= 1 || status.conditions?.some((c) => c.type === 'Complete' && c.status === 'True')) return 'Succeeded';
  if ((status.failed ?? 0) >= 1 || status.conditions?.some((c) => c.type === 'Failed' && c.status === 'True')) return 'Failed';
  return 'Running';
}

export function jobRefFor(action: Action, planName: string, executionId: string, scope = ''): KubeObjectReference {
  return { apiVersion: 'batch/v1', kind: 'Job', name: jobNameFor(planName, action.name, executionId, scope), namespace: action.job?.namespace ?? 'default' };
}

export async function runJobAction(action: Action, ctx: ActionContext): Promise<ActionOutputs> {
  if (!action.job) throw new ActionFailure(`action "${action.name}" has no job configuration`, {}, 'VALIDATION');
  const jobRef = jobRefFor(action, ctx.planName, ctx.executionId, ctx.jobScope ?? '');
  const ref = { apiVersion: 'batch/v1', kind: 'Job', name: jobRef.name!, namespace: jobRef.namespace! };
  const outputs: ActionOutputs = { jobRef };
  // Recorded before the create, so a process killed right after it finds the name and re-attaches.
  await ctx.record(outputs);
  const kube = await ctx.kube();
  let job = await kube.find(ref, { signal: ctx.signal });
  if (!job) {
    const spec: Record<string, unknown> = { ...action.job.template.spec };
    if (action.job.ttlSecondsAfterFinished !== undefined) spec.ttlSecondsAfterFinished = action.job.ttlSecondsAfterFinished;
    try {
      job = await kube.create({
        apiVersion: 'batch/v1', kind: 'Job',
        metadata: { name: ref.name, namespace: ref.namespace, labels: { 'fleetdeck.io/dr-plan': ctx.planName.slice(0, 63), 'fleetdeck.io/dr-action': action.name.slice(0, 63), 'fleetdeck.io/dr-execution': ctx.executionId.slice(0, 63) } },
        spec,
      }, { signal: ctx.signal });
    } catch (error) {
      // Another attempt created it between our find and create: attach to it.
      if (!(error instanceof FleetError && error.code === 'CONFLICT')) throw error;
      job = await kube.get(ref, { signal: ctx.signal });
    }
  }
  if (job.metadata.uid) {
    outputs.jobRef = { ...jobRef, uid: job.metadata.uid };
    await ctx.record(outputs);
  }
  return waitForObject(kube, ref, job, (current): Decision<ActionOutputs> => {
    if (!current) return { done: true, error: new ActionFailure(`Job ${ref.namespace}/${ref.name} was deleted before it finished`, outputs) };
    const state = jobState(current);
    if (state === 'Succeeded') return { done: true, value: outputs };
    if (state === 'Failed') return { done: true, error: new ActionFailure(`Job ${ref.namespace}/${ref.name} failed${failureReason(current)}`, outputs) };
    return { done: false };
  }, { signal: ctx.signal });
}

function failureReason(job: KubeObject): string {
  const conditions = ((job.status ?? {}) as { conditions?: { type?: string; status?: string; reason?: string; message?: string }[] }).conditions ?? [];
  const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
  return failed?.message ? `: ${failed.reason ? `${failed.reason}: ` : ''}${failed.message}` : '';
}
