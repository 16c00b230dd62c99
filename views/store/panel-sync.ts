import type { CockpitSource } from '../source.js';
import { coalescedRead } from './coalesce.js';
import type { CockpitStore } from './cockpit-store.js';
import { toErrorInfo } from './error-info.js';
import { selectedInstall } from './installs-slice.js';

/**
 * Keeps the Drift and Installs panels and the followed operation current from the source's events:
 * `drift.scanned` → the source's latest report; `installs` → re-read the list and the selected cluster;
 * `operations` → re-read the followed operation (adopting a new one once the previous has finished).
 */
export function startPanelSync(store: CockpitStore, source: CockpitSource, debounceMs = 50): { stop(): void } {
  let stopped = false;
  const state = () => store.getState();
  const { drift, installs, lifecycle } = source;

  const takeReport = () => {
    const report = drift?.lastReport();
    if (report && !stopped) state().setDriftReport(report);
  };
  takeReport();

  const readList = coalescedRead(async () => {
    if (!installs) return;
    try {
      const rows = await installs.list();
      if (!stopped) state().setInstallRows(rows);
    } catch (error) {
      if (!stopped) state().setInstallsError(toErrorInfo(error));
    }
  }, debounceMs);
  const readView = coalescedRead(async () => {
    const name = selectedInstall(state().installs)?.name;
    if (!installs || name === undefined) return;
    try {
      const view = await installs.show(name);
      if (!stopped && selectedInstall(state().installs)?.name === name) state().setInstallView(view);
    } catch {
      // The cluster may be gone by now; the next list read shows that.
    }
  }, debounceMs);
  if (installs) void readList.now();

  const readOperation = coalescedRead(async () => {
    const id = state().operation?.id;
    if (!lifecycle || id === null || id === undefined) return;
    try {
      const record = await lifecycle.showOperation(id);
      if (!stopped) state().setOperationRecord(record);
    } catch {
      // Shown again on its next event.
    }
  }, debounceMs);

  const unsubscribe = source.subscribe((event) => {
    if (stopped) return;
    if (event.topic === 'drift' && event.type === 'drift.scanned') takeReport();
    if (event.topic === 'installs' && installs) {
      readList.schedule();
      readView.schedule();
    }
    if (event.topic === 'operations' && lifecycle && event.target !== undefined) {
      const id = Number(event.target);
      const cluster = event.data.target;
      const watched = state().operation;
      const finished = watched?.record && watched.record.status !== 'running' && watched.record.status !== 'undoing';
      if (watched && watched.id === null && watched.target === cluster) {
        state().watchOperation({ ...watched, id });
      } else if (!watched || (finished && watched.id !== id && event.type === 'operation.started')) {
        state().watchOperation({ id, target: cluster, label: `operation on ${cluster}`, record: null });
      }
      if (state().operation?.id === id) readOperation.schedule();
    }
  });
  const unsubscribeStore = store.subscribe((now, before) => {
    if (selectedInstall(now.installs)?.name !== selectedInstall(before.installs)?.name) {
      if (now.installs.view?.cluster !== selectedInstall(now.installs)?.name) now.setInstallView(null);
      readView.schedule();
    }
  });

  return {
    stop() {
      stopped = true;
      unsubscribe();
      unsubscribeStore();
      for (const read of [readList, readView, readOperation]) read.cancel();
    },
  };
}
