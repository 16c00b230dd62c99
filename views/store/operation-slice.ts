import type { StateCreator } from 'zustand/vanilla';
import type { OperationRecord } from '../../core/operations/types.js';

/** The operation the Clusters panel follows: started here (create / delete) or seen in the event stream. */
export interface WatchedOperation {
  /** Unknown until its `operation.started` event or its record arrives. */
  id: number | null;
  /** The cluster it is about. */
  target: string;
  label: string;
  record: OperationRecord | null;
}

export interface OperationSlice {
  operation: WatchedOperation | null;
  watchOperation(operation: WatchedOperation): void;
  setOperationRecord(record: OperationRecord): void;
  clearOperation(): void;
}

export const createOperationSlice: StateCreator<OperationSlice> = (set, get) => ({
  operation: null,
  watchOperation(operation) {
    set({ operation });
  },
  setOperationRecord(record) {
    const current = get().operation;
    if (current && (current.id !== null ? current.id !== record.id : current.target !== record.target)) return;
    set({ operation: { id: record.id, target: record.target, label: current?.label ?? `${record.kind} ${record.target}`, record } });
  },
  clearOperation() {
    set({ operation: null });
  },
});
