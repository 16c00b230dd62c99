import { toErrorInfo } from '../store/error-info.js';
import type { ActionContext } from './action-context.js';
import { followOperation } from './cluster-operations.js';

/**
 * Deletes the confirmed clusters one by one: through the journaled `env.delete` operation when the source has
 * a lifecycle (its steps show live), else by removing the inventory row. The table updates from the engine's
 * events; nothing is removed from the store optimistically.
 */
export async function deleteClusters(ctx: ActionContext, names: readonly string[]): Promise<void> {
  const { store, source } = ctx;
  const { lifecycle } = source;
  const failures: { name: string; error: unknown }[] = [];
  for (const name of names) {
    if (lifecycle) {
      if (!(await followOperation(ctx, name, `delete ${name}`, () => lifecycle.delete(name)))) {
        failures.push({ name, error: store.getState().error });
      }
      continue;
    }
    try {
      await source.removeCluster(name);
    } catch (error) {
      failures.push({ name, error });
    }
  }
  const state = store.getState();
  state.clearMarks();
  const deleted = names.length - failures.length;
  const first = failures[0];
  if (first) {
    const info = toErrorInfo(first.error);
    const prefix = deleted > 0 ? `deleted ${deleted}, ` : '';
    const more = failures.length > 1 ? ` (and ${failures.length - 1} more failed)` : '';
    state.setError({ message: `${prefix}${first.name}: ${info.message}${more}`, hint: info.hint });
    return;
  }
  state.setNotice(deleted === 1 ? `deleted cluster ${names[0] ?? ''}` : `deleted ${deleted} clusters`);
}
