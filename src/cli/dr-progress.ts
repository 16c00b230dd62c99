/**
 * The live part of `fleetdeck dr execute|revert` for people: one plain line per action transition as the execution
 * is followed, like `kubectl get -w` (no cursor movement, no colour, so it reads the same in a pipe or a log file).
 *
 *   TIME      STAGE  WORKFLOW              ACTION        PHASE      ATTEMPTS  DETAIL
 *   12:03:04  main   default/failover-web  notify-start  Running    1
 *   12:03:04  main   default/failover-web  notify-start  Succeeded  1         0.2s
 *
 * The executor records every transition in the database (phase, attempts, start and finish times, the error of a
 * failed attempt); the printer compares successive reads of the execution and prints what changed, at the time it
 * was recorded. A transition that started and ended between two reads still gets both lines.
 */
import type { ActionStatusRecord, ExecutionView } from '../../core/dr/store/types.js';

interface Seen {
  phase: string;
  attempts: number;
  error: string | null;
}

interface Transition {
  at: number;
  order: number;
  status: ActionStatusRecord;
  phase: string;
  attempts: number;
  detail: string;
}

const FINAL = new Set(['Succeeded', 'Failed', 'Skipped', 'Canceled', 'RolledBack']);
const HEADER = ['TIME', 'STAGE', 'WORKFLOW', 'ACTION', 'PHASE', 'ATTEMPTS', 'DETAIL'];

function clock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function seconds(from: string | null, to: string | null): string {
  if (!from || !to) return '';
  return `${(Math.max(0, Date.parse(to) - Date.parse(from)) / 1000).toFixed(1)}s`;
}

export class ProgressPrinter {
  private readonly seen = new Map<string, Seen>();
  private widths: number[] | null = null;

  /** `intro` is printed once, before the first line about this execution. */
  constructor(private readonly out: (line: string) => void, private readonly intro?: string) {}

  /** Prints the transitions between the last view and this one. */
  update(view: ExecutionView): void {
    if (!this.widths) this.start(view);
    const now = Date.now();
    const transitions: Transition[] = [];
    for (const status of view.actions) {
      const key = `${status.stage}\u0000${status.workflow}\u0000${status.action}`;
      // Every action of an execution is recorded Pending when it is created: that is where each one starts.
      const before = this.seen.get(key) ?? { phase: 'Pending', attempts: 0, error: null };
      this.seen.set(key, { phase: status.phase, attempts: status.attempts, error: status.error });
      if (status.phase === before.phase && status.attempts === before.attempts && status.error === before.error) continue;
      const finished = status.finishedAt ? Date.parse(status.finishedAt) : now;
      // Transitions whose time was not recorded (a retry, a rollback) happened by this read, and not after the finish.
      const unrecorded = FINAL.has(status.phase) && status.phase !== 'RolledBack' ? Math.min(now, finished) : now;
      const add = (at: number, phase: string, attempts: number, detail: string): void => {
        transitions.push({ at: Number.isFinite(at) ? at : now, order: transitions.length, status, phase, attempts, detail });
      };
      if (status.attempts > before.attempts) {
        // A new attempt started: the first one at startedAt, later ones after a failed attempt and its backoff.
        const at = before.attempts === 0 && status.startedAt ? Date.parse(status.startedAt) : unrecorded;
        add(at, 'Running', status.attempts, status.attempts > 1 ? 'retrying' : '');
      }
      if (status.phase === 'Running' && status.error && status.error !== before.error) {
        // An attempt failed and the action waits to retry it.
        add(unrecorded, 'Running', status.attempts, oneLine(status.error));
      }
      if (status.phase === before.phase) continue;
      if (status.phase === 'RolledBack') {
        // A Revert undid it (its own lines follow the Revert); it had succeeded first, maybe since the last read.
        if (before.phase !== 'Succeeded') add(finished, 'Succeeded', status.attempts, seconds(status.startedAt, status.finishedAt));
        const by = view.reverts.at(-1)?.id;
        add(now, 'RolledBack', status.attempts, by ? `undone by ${by}` : '');
      } else if (FINAL.has(status.phase)) {
        const took = status.attempts > 0 ? seconds(status.startedAt, status.finishedAt) : '';
        const detail = status.phase === 'Succeeded' ? took : [took, status.error ? oneLine(status.error) : ''].filter(Boolean).join(': ');
        add(finished, status.phase, status.attempts, detail);
      }
    }
    transitions.sort((a, b) => a.at - b.at || a.order - b.order);
    for (const t of transitions) this.line([clock(t.at), t.status.stage, t.status.workflow, t.status.action, t.phase, String(t.attempts), t.detail]);
  }

  private start(view: ExecutionView): void {
    if (this.intro) this.out(this.intro);
    this.out(`Execution ${view.id}: ${view.kind} of ${view.planNamespace}/${view.planName}`);
    const widest = (values: string[], min: number): number => Math.max(min, ...values.map((v) => v.length));
    this.widths = [
      8, widest(view.actions.map((a) => a.stage), 5), widest(view.actions.map((a) => a.workflow), 8), widest(view.actions.map((a) => a.action), 6), 10, 8,
    ];
    this.line(HEADER);
  }

  private line(cells: string[]): void {
    const widths = this.widths ?? [];
    this.out(cells.map((c, i) => (i < widths.length ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd());
  }
}
