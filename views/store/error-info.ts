/** What the status line shows for a failure: what happened and what to do next. */
export interface ErrorInfo {
  message: string;
  hint: string;
}

/** Engine errors (FleetError) carry a hint; anything else gets a generic one. Views never import core classes. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (typeof error === 'object' && error !== null) {
    const { message, hint } = error as { message?: unknown; hint?: unknown };
    if (typeof message === 'string') {
      return { message, hint: typeof hint === 'string' ? hint : 'Press esc to dismiss; check the logs of the engine.' };
    }
  }
  return { message: String(error), hint: 'Press esc to dismiss.' };
}
