/**
 * Loads the Ink/React side of the cockpit with the environment it should see at import time:
 * - Ink decides at import (is-in-ci) to draw only the last frame when CI is set. The cockpit decides
 *   interactivity from isTTY instead, so CI and CONTINUOUS_INTEGRATION are hidden during the import.
 * - React picks its development or production build at require time; the development build captures a
 *   stack for every element, which costs milliseconds per frame. NODE_ENV=production unless set.
 * The variables are put back afterwards. This works because nothing loads Ink or React before this.
 */
export async function loadTerminalUi<T>(load: () => Promise<T>): Promise<T> {
  const saved = (['CI', 'CONTINUOUS_INTEGRATION', 'NODE_ENV'] as const).map((name) => [name, process.env[name]] as const);
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  process.env.NODE_ENV ??= 'production';
  try {
    return await load();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
