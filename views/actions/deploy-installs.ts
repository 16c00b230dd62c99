import type { InstallView, TriggerResult } from '../../core/dataplane/types.js';
import { attemptText } from '../panels/installs-output.js';
import { toErrorInfo } from '../store/error-info.js';
import type { ActionContext } from './action-context.js';

/** Installs of marked clusters running at once, unless the source says how many its scheduler runs. */
export const BULK_CONCURRENCY = 4;

/** How far one cluster's install has got, for its row. */
export function progressText(view: InstallView, taskId: number): { state: 'running' | 'done' | 'failed'; message: string } {
  const task = view.task;
  if (!task || task.id !== taskId) return { state: 'running', message: `task ${taskId} queued` };
  const done = task.stages.filter((s) => s.status === 'completed' || s.status === 'skipped').length;
  switch (task.status) {
    case 'completed': return { state: 'done', message: `deployed (task ${task.id}, ${done}/${task.stages.length} stages)` };
    case 'failed': return { state: 'failed', message: `failed: ${task.errorMessage ?? 'no error recorded'}` };
    case 'running': return { state: 'running', message: `task ${task.id} running ${done}/${task.stages.length}${task.currentStage ? ` ${task.currentStage}` : ''}` };
    case 'pending': return {
      state: 'running',
      message: task.retryCount > 0 ? `task ${task.id} waiting to retry (${attemptText(task)} next): ${task.errorMessage ?? ''}` : `task ${task.id} queued`,
    };
  }
}

/**
 * Follows one task to its end: re-reads the cluster's install on each of its `installs` events (one read at a time),
 * and every few seconds in case a notification was missed.
 */
function follow(ctx: ActionContext, name: string, taskId: number, onView: (view: InstallView) => void): Promise<InstallView> {
  const installs = ctx.source.installs!;
  return new Promise((resolve) => {
    let reading = false;
    let again = false;
    let finished = false;
    const read = async (): Promise<void> => {
      if (finished) return;
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        const view = await installs.show(name);
        if (finished) return;
        onView(view);
        if (view.task?.id === taskId && (view.task.status === 'completed' || view.task.status === 'failed')) {
          finished = true;
          unsubscribe();
          clearInterval(timer);
          resolve(view);
        }
      } catch {
        // A failed read: the next event or tick reads again.
      } finally {
        reading = false;
        if (again && !finished) {
          again = false;
          void read();
        }
      }
    };
    const unsubscribe = ctx.source.subscribe((event) => {
      if (event.topic === 'installs' && (event.target === name || event.target === undefined)) void read();
    });
    const timer = setInterval(() => void read(), 5000);
    void read();
  });
}

/**
 * Deploys (or retries) the dataplane on each cluster. One cluster: the request, and the row says what became of it
 * (the stages below follow the task live). Several (marked) clusters: at most `limit` of their installs are active
 * at once — the next cluster's deploy is sent when one of them has finished — and every row shows its own
 * progress: waiting → sending → running 2/5 StageApplications → deployed | failed: why.
 */
export async function deployClusters(ctx: ActionContext, names: readonly string[], action: 'deploy' | 'retry',
  limit = ctx.source.installs?.concurrency ?? BULK_CONCURRENCY): Promise<void> {
  const { installs } = ctx.source;
  if (!installs || names.length === 0) return;
  const state = () => ctx.store.getState();
  const bulk = names.length > 1;
  names.forEach((name, i) => state().setInstallResult(name, { state: 'waiting', message: bulk ? `waiting (${i + 1} of ${names.length})` : 'waiting' }));
  state().setNotice(`${action === 'deploy' ? 'deploying' : 'retrying'} ${bulk ? `${names.length} clusters, ${Math.min(limit, names.length)} at a time` : names[0] ?? ''}…`);
  const queue = [...names];
  let refused = 0;
  let failed = 0;
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      state().setInstallResult(name, { state: 'sending', message: `sending ${action}` });
      let result: TriggerResult;
      try {
        result = action === 'deploy' ? await installs.trigger(name) : await installs.retry(name);
      } catch (error) {
        refused += 1;
        state().setInstallResult(name, { state: 'failed', message: `${action} refused: ${toErrorInfo(error).message}` });
        if (!bulk) state().setError(toErrorInfo(error));
        continue;
      }
      state().setInstallResult(name, { state: 'queued', message: `${action} queued: task ${result.taskId}` });
      if (!bulk) continue;
      const taskId = result.taskId;
      const end = await follow(ctx, name, taskId, (view) => {
        const progress = progressText(view, taskId);
        // Until the scheduler claims it, the row keeps saying the deploy was queued.
        if (progress.state === 'running' && progress.message !== `task ${taskId} queued`) state().setInstallResult(name, { state: 'running', message: progress.message });
      });
      const last = progressText(end, taskId);
      if (last.state === 'failed') failed += 1;
      state().setInstallResult(name, { state: last.state === 'failed' ? 'failed' : 'done', message: last.message });
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, names.length) }, worker));
  state().clearInstallMarks();
  if (bulk) {
    const summary = `${action}: ${names.length - refused - failed} deployed${failed > 0 ? `, ${failed} failed` : ''}${refused > 0 ? `, ${refused} refused` : ''} (see the rows)`;
    if (refused + failed > 0) state().setError({ message: summary, hint: 'Press l on a row for its installer output.' });
    else state().setNotice(summary);
  } else if (refused === 0) {
    state().setNotice(`${action}: 1 queued`);
  }
}
