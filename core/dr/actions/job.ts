/**
 * The Job action: a batch/v1 Job with a deterministic name (plan, action, execution), so a resumed executor
 * re-attaches to the Job it already created instead of creating another. Seed 004's state mapping:
 * active > 0 → Running, succeeded ≥ 1 → Succeeded, failed ≥ 1 → Failed, timeout → Failed (timeout).
 */
import { FleetError } from '../../errors.js';
import type { KubeObject } from '../../kube/types.js';
import { jobNameFor } from '../render/outputs.js';
import type { Action, ActionOutputs, KubeObjectReference } from '../schema/types.js';
import { ActionFailure, sleep, type ActionContext } from './types.js';

const POLL_MS = 250;

export type JobState = 'Running' | 'Succeeded' | 'Failed';

export function jobState(job: KubeObject): JobState {
  const status = (job.status ?? {}) as { succeeded?: number; failed?: number; conditions?: { type?: string; status?: string }[] };
  if ((status.succeeded ?? 0) >= 1 || status.conditions?.some((c) => c.type === 'Complete' && c.status === 'True')) return 'Succeeded';
  if ((status.failed ?? 0) >= 1 || status.conditions?.some((c) => c.type === 'Failed' && c.status === 'True')) return 'Failed';
  return 'Running';
}

export function jobRefFor(action: Action, planName: string, executionId: string): KubeObjectReference {
  return { apiVersion: 'batch/v1', kind: 'Job', name: jobNameFor(planName, action.name, executionId), namespace: action.job?.namespace ?? 'default' };
}

export async function runJobAction(action: Action, ctx: ActionContext): Promise<ActionOutputs> {
  if (!action.job) throw new ActionFailure(`action "${action.name}" has no job configuration`, {}, 'VALIDATION');
  const jobRef = jobRefFor(action, ctx.planName, ctx.executionId);
  const ref = { apiVersion: 'batch/v1', kind: 'Job', name: jobRef.name!, namespace: jobRef.namespace! };
  const outputs: ActionOutputs = { jobRef };
  await ctx.record(outputs);
  const kube = await ctx.kube();
  let job = await kube.find(ref, { signal: ctx.signal });
  if (!job) {
    const spec: Record<string, unknown> = { ...action.job.template.spec };
    if (action.job.ttlSecondsAfterFinished !== undefined) spec.ttlSecondsAfterFinished = action.job.ttlSecondsAfterFinished;
    try {
      job = await kube.create({
        apiVersion: 'batch/v1', kind: 'Job',
        metadata: { name: ref.name, namespace: ref.namespace, labels: { 'fleetdeck.io/dr-plan': ctx.planName.slice(0, 63), 'fleetdeck.io/dr-action': action.name.slice(0, 63) } },
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
  for (;;) {
    const state = jobState(job);
    if (state === 'Succeeded') return outputs;
    if (state === 'Failed') throw new ActionFailure(`Job ${ref.namespace}/${ref.name} failed`, outputs);
    await sleep(POLL_MS, ctx.signal);
    job = await kube.get(ref, { signal: ctx.signal });
  }
}
