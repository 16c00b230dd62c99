/**
 * The Job action: a batch/v1 Job with a deterministic name (plan, action, run scope, execution), so a resumed
 * executor re-attaches to the Job it already created instead of creating another; a Job under that name that this
 * action did not create (ownership.ts) is left alone and the action fails. Seed 004's state mapping:
 *
 * | Job status                                   | action                       |
 * | -------------------------------------------- | ---------------------------- |
 * | active > 0                                   | Running (keep watching)      |
 * | succeeded >= 1 (completions), or Complete    | Succeeded                    |
 * | failed > backoffLimit, or condition Failed   | Failed                       |
 * | timeout                                      | Failed (timeout), by runAction's timer aborting the signal |
 *
 * The seed's "Failed >= 1" is read with the Job's own retry limit: a pod that fails within spec.backoffLimit is
 * retried by the Job controller, so the Job is still running (plans usually set backoffLimit: 0).
 *
 * The Job is watched (wait.ts), with a slower poll as a backstop. A cancelled or timed-out action stops its Job:
 * the Job is deleted with its pods (propagation Background), as `argo stop` stops a workflow's pods, so nothing keeps
 * running in the cluster for an action that ended. A runner that merely lost the execution leaves it running for the
 * next runner to re-attach.
 */
import { errorMessage } from '../../errors.js';
import type { KubeGateway, KubeObject, KubeRef } from '../../kube/types.js';
import { jobNameFor } from '../render/outputs.js';
import type { Action, ActionOutputs, KubeObjectReference } from '../schema/types.js';
import { markOf, operate } from './kube-objects.js';
import { alreadyExists, createdBy, type OwnerMark } from './ownership.js';
import { ActionFailure, ActionInterrupted, type ActionContext } from './types.js';
import { waitForObject, type Decision } from './wait.js';

export type JobState = 'Running' | 'Succeeded' | 'Failed';

/** Kubernetes' default spec.backoffLimit. */
const DEFAULT_BACKOFF_LIMIT = 6;
/** How long stopping a Job may take once its action was cancelled or timed out. */
const STOP_TIMEOUT_MS = 5000;

/**
 * A Job has failed once Kubernetes says so (condition Failed), or once more pods failed than its backoffLimit
 * allows; a failed pod within the limit is retried by the Job controller, so the Job is still running.
 */
export function jobState(job: KubeObject): JobState {
  const status = (job.status ?? {}) as { succeeded?: number; failed?: number; conditions?: { type?: string; status?: string }[] };
  const spec = (job.spec ?? {}) as { completions?: number; backoffLimit?: number };
  const completed = status.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') || (status.succeeded ?? 0) >= (spec.completions ?? 1);
  if (completed) return 'Succeeded';
  const failed = status.conditions?.some((c) => c.type === 'Failed' && c.status === 'True') || (status.failed ?? 0) > (spec.backoffLimit ?? DEFAULT_BACKOFF_LIMIT);
  return failed ? 'Failed' : 'Running';
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
  const mark = markOf(ctx, action.name);
  let job = await kube.find(ref, { signal: ctx.signal });
  if (job && !createdBy(job, mark)) throw new ActionFailure(alreadyExists(job, mark).message, outputs, 'CONFLICT', alreadyExists(job, mark).hint);
  if (!job) {
    const spec: Record<string, unknown> = { ...action.job.template.spec };
    if (action.job.ttlSecondsAfterFinished !== undefined) spec.ttlSecondsAfterFinished = action.job.ttlSecondsAfterFinished;
    job = await operate(kube, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: ref.name, namespace: ref.namespace }, spec }, 'Create', ctx.signal, mark);
  }
  if (job.metadata.uid) {
    outputs.jobRef = { ...jobRef, uid: job.metadata.uid };
    await ctx.record(outputs);
  }
  try {
    return await waitForObject(kube, ref, job, (current): Decision<ActionOutputs> => {
      if (!current) return { done: true, error: new ActionFailure(`Job ${ref.namespace}/${ref.name} was deleted before it finished`, outputs) };
      const state = jobState(current);
      if (state === 'Succeeded') return { done: true, value: outputs };
      if (state === 'Failed') return { done: true, error: new ActionFailure(`Job ${ref.namespace}/${ref.name} failed${failureReason(current)}`, outputs) };
      return { done: false };
    }, { signal: ctx.signal });
  } catch (error) {
    const why = ctx.signal.aborted ? ctx.interruption?.() : null;
    if (why === 'cancel' || why === 'timeout') throw new ActionInterrupted(await stopJob(kube, ref, mark), outputs);
    throw error;
  }
}

/** Deletes the action's own Job, if it still runs, with its pods; says what happened, for the action's error. */
export async function stopJob(kube: KubeGateway, ref: KubeRef, mark: OwnerMark): Promise<string> {
  const what = `Job ${ref.namespace}/${ref.name}`;
  const signal = AbortSignal.timeout(STOP_TIMEOUT_MS);
  try {
    const job = await kube.find(ref, { signal });
    if (!job || !createdBy(job, mark) || jobState(job) !== 'Running') return '';
    await kube.delete(ref, { signal });
    return `${what} was stopped (deleted with its pods)`;
  } catch (error) {
    return jobNotStopped(ref, error);
  }
}

/** The note of a Job that could not be stopped: why, and the command that stops it by hand. */
export function jobNotStopped(ref: { name?: string; namespace?: string }, error: unknown): string {
  return `Job ${ref.namespace}/${ref.name} could not be stopped (${errorMessage(error)}); delete it with kubectl delete job -n ${ref.namespace} ${ref.name}`;
}

function failureReason(job: KubeObject): string {
  const conditions = ((job.status ?? {}) as { conditions?: { type?: string; status?: string; reason?: string; message?: string }[] }).conditions ?? [];
  const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
  return failed?.message ? `: ${failed.reason ? `${failed.reason}: ` : ''}${failed.message}` : '';
}
