import type { Provider } from '../../core/inventory/types.js';
import type { OperationRecord } from '../../core/operations/types.js';
import { toErrorInfo } from '../store/error-info.js';
import type { ActionContext } from './action-context.js';

/** The operation id a failed step's error carries (FleetError details.operation), if any. */
function operationIdOf(error: unknown): number | null {
  const details = typeof error === 'object' && error !== null ? (error as { details?: unknown }).details : undefined;
  const id = typeof details === 'object' && details !== null ? (details as { operation?: unknown }).operation : undefined;
  return typeof id === 'number' ? id : null;
}

/**
 * Runs one lifecycle operation and follows it in the Clusters panel: its steps arrive live through
 * `operations` events (views/store/panel-sync.ts); the final record is read when it ends.
 * Resolves true when it succeeded.
 */
export async function followOperation(ctx: ActionContext, target: string, label: string,
  start: () => Promise<OperationRecord>): Promise<boolean> {
  const { store, source } = ctx;
  store.getState().watchOperation({ id: null, target, label, record: null });
  try {
    const record = await start();
    store.getState().setOperationRecord(record);
    return true;
  } catch (error) {
    const id = operationIdOf(error);
    const watched = store.getState().operation;
    if (id !== null && source.lifecycle) {
      if (watched?.target === target && watched.id === null) store.getState().watchOperation({ ...watched, id });
      const record = await source.lifecycle.showOperation(id).catch(() => null);
      if (record) store.getState().setOperationRecord(record);
    } else if (watched?.target === target && watched.id === null) {
      // Refused before it started (a name in use, read-only): nothing to follow.
      store.getState().clearOperation();
    }
    store.getState().setError(toErrorInfo(error));
    return false;
  }
}

export async function createEnvironment(ctx: ActionContext, name: string, provider: Provider): Promise<void> {
  const { lifecycle } = ctx.source;
  const state = ctx.store.getState();
  if (!lifecycle) {
    state.setError({ message: 'this cockpit cannot create environments', hint: 'Use `fleetdeck env create NAME --provider k3d`.' });
    return;
  }
  if (name === '') {
    state.setError({ message: 'an environment needs a name', hint: 'Press c and type a name, e.g. dev-2.' });
    return;
  }
  state.setNotice(`creating ${name} (${provider})…`);
  if (await followOperation(ctx, name, `create ${name} (${provider})`, () => lifecycle.create(name, provider))) {
    ctx.store.getState().setNotice(`created environment ${name}`);
  }
}
