import type { RepairPlan } from '../../core/drift/plan-store.js';
import type { Provider } from '../../core/inventory/types.js';
import type { ErrorInfo } from './error-info.js';

/** What is drawn in place of the panel body; overlays that take text or a choice see the keys first. */
export type Overlay =
  | { kind: 'help' }
  | { kind: 'details'; name: string }
  | { kind: 'filter' }
  | { kind: 'command'; text: string }
  /** Delete: the user types `expected` (the cluster's name, or `delete N` for marked rows). */
  | { kind: 'typed-confirm'; title: string; targets: string[]; expected: string; typed: string; mismatch: boolean }
  | { kind: 'create'; name: string; provider: Provider; field: 'name' | 'provider' }
  /**
   * The repair plan for the chosen drift items; `plan` is null while it is being made. Cancel is the default. A
   * `destructive` plan that deletes clusters is applied only once `typed` matches what views/actions/repair-drift.ts asks for.
   */
  | { kind: 'plan'; itemIds: string[]; plan: RepairPlan | null; error: ErrorInfo | null; choice: 'cancel' | 'confirm';
    destructive?: boolean; typed?: string; mismatch?: boolean }
  | { kind: 'log'; cluster: string };
