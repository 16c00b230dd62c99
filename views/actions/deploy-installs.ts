import type { TriggerResult } from '../../core/dataplane/types.js';
import { toErrorInfo } from '../store/error-info.js';
import type { ActionContext } from './action-context.js';

export const BULK_CONCURRENCY = 4;

/**
 * Deploys (or retries) the dataplane on each cluster, at most `limit` requests at a time; every row shows its
 * own result (waiting → sending → queued task N | failed: why). The task's progress then arrives as events.
 */
export async function deployClusters(ctx: ActionContext, names: readonly string[], action: 'deploy' | 'retry',
  limit = BULK_CONCURRENCY): Promise<void> {
  const { installs } = ctx.source;
  if (!installs || names.length === 0) return;
  const state = () => ctx.store.getState();
  for (const name of names) state().setInstallResult(name, { state: 'waiting', message: 'waiting' });
  state().setNotice(`${action === 'deploy' ? 'deploying' : 'retrying'} ${names.length === 1 ? names[0] ?? '' : `${names.length} clusters`}…`);
  const queue = [...names];
  let failed = 0;
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      state().setInstallResult(name, { state: 'sending', message: `sending ${action}` });
      try {
        const result: TriggerResult = action === 'deploy' ? await installs.trigger(name) : await installs.retry(name);
        state().setInstallResult(name, { state: 'queued', message: `${action} queued: task ${result.taskId}` });
      } catch (error) {
        failed += 1;
        state().setInstallResult(name, { state: 'failed', message: `${action} refused: ${toErrorInfo(error).message}` });
        if (names.length === 1) state().setError(toErrorInfo(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, names.length) }, worker));
  state().clearInstallMarks();
  if (names.length > 1 || failed === 0) {
    const done = names.length - failed;
    const summary = `${action}: ${done} queued${failed > 0 ? `, ${failed} refused (see the rows)` : ''}`;
    if (failed > 0) state().setError({ message: summary, hint: 'Press l on a row for its installer output.' });
    else state().setNotice(summary);
  }
}
