import type { InstallTask, InstallView, StageRecord } from '../../core/dataplane/types.js';

/**
 * What the installer left for a cluster's current (or last) task, for `l` in the cockpit and `installs logs`:
 * the task's error, then stage by stage its result, error and helm output (redacted when it was stored), then the
 * installer Job's pod log. No Ink here, so the CLI can print the same lines.
 */
export function installerOutput(view: InstallView): string[] {
  const task = view.task;
  if (!task) return [];
  const lines: string[] = [];
  if (task.runner === 'job') lines.push(`runs as Kubernetes Job ${jobName(task)} in cluster ${view.cluster}${task.jobLog ? '' : ' (no pod log read yet)'}`);
  if (task.errorMessage) lines.push(`task ${task.id}: ${task.errorMessage}`);
  for (const stage of task.stages) lines.push(...stageOutput(stage));
  if (task.jobLog) lines.push(`── installer pod log (${jobName(task)})`, ...task.jobLog.split('\n'));
  return lines;
}

function jobName(task: InstallTask): string {
  return task.jobName ?? `primus-lens-installer-${task.id}`;
}

function stageOutput(stage: StageRecord): string[] {
  if (stage.status === 'pending' && !stage.output && !stage.error) return [];
  const lines = [`── ${stage.name}: ${stage.status}${stage.detail ? ` · ${stage.detail}` : ''}`];
  if (stage.error) lines.push(`error: ${stage.error}`);
  if (stage.output) lines.push(...stage.output.split('\n').map((line) => `  ${line}`));
  return lines;
}

/** "attempt 2/4": attempts made so far out of the 1 + max retries a task gets. */
export function attemptText(task: Pick<InstallTask, 'retryCount' | 'maxRetries'>): string {
  const total = task.maxRetries + 1;
  return `attempt ${Math.min(task.retryCount + 1, total)}/${total}`;
}

/**
 * A task's state as people read it. The seed's task statuses stay in the data (and in --json); a pending task is shown
 * as queued, because nothing runs it until a worker claims it (only then is the cluster deploying). A pending task
 * with retries spent is waiting out its backoff before the next attempt.
 */
export function taskStateText(task: Pick<InstallTask, 'status' | 'retryCount' | 'maxRetries'>): string {
  if (task.status !== 'pending') return task.status;
  return task.retryCount > 0 ? `queued (retry ${task.retryCount}/${task.maxRetries})` : 'queued';
}
