/**
 * Things to undo on the way out, run once, newest first, whichever path leads out (quit, signal, crash).
 * Each step is isolated: one failing never skips the terminal restore.
 */
export class CleanupRegistry {
  private steps: (() => void)[] = [];
  private done = false;

  add(step: () => void): void {
    if (this.done) {
      step();
      return;
    }
    this.steps.push(step);
  }

  run(): void {
    if (this.done) return;
    this.done = true;
    for (const step of this.steps.reverse()) {
      try {
        step();
      } catch {
        // Keep going: the remaining steps (above all the terminal restore) matter more.
      }
    }
    this.steps = [];
  }
}

/** If cleanup or the engine's close hangs, leave anyway; unref'd, so a clean exit is never delayed. */
export function armHardExit(code: number, afterMs = 3000): void {
  setTimeout(() => process.exit(code), afterMs).unref();
}
