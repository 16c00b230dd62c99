import { randomBytes } from 'node:crypto';
import { execa } from 'execa';

/**
 * The real binary in a real terminal: tmux on its own socket, a fixed 120x30 pane, a plain shell in it.
 * CI is removed from the cockpit's environment, as DESIGN.md requires for Ink.
 */
export class TmuxPane {
  readonly socket = `fdcockpit-${process.pid}-${randomBytes(4).toString('hex')}`;

  async tmux(...args: string[]): Promise<string> {
    const result = await execa('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { timeout: 20_000 });
    return String(result.stdout);
  }

  async start(): Promise<void> {
    await this.tmux('new-session', '-d', '-s', 'cockpit', '-x', '120', '-y', '30',
      'env', 'PS1=$ ', 'HISTFILE=/dev/null', 'bash', '--norc', '--noprofile');
    await this.waitFor((screen) => screen.includes('$'), 'the shell prompt');
  }

  /** The visible screen, trailing blank lines dropped. */
  async screen(options: { escapes?: boolean } = {}): Promise<string> {
    const text = await this.tmux('capture-pane', '-p', ...(options.escapes ? ['-e'] : []), '-t', 'cockpit');
    return text.replace(/\s+$/, '');
  }

  async keys(...keys: string[]): Promise<void> {
    for (const key of keys) await this.tmux('send-keys', '-t', 'cockpit', key);
  }

  async type(text: string): Promise<void> {
    await this.tmux('send-keys', '-t', 'cockpit', '-l', text);
  }

  /**
   * Types a command line (without running it) and waits until the shell has echoed all of it; returns the screen.
   * A line longer than the pane wraps, so the echo is looked for with the wraps taken out.
   */
  async typeCommand(text: string): Promise<string> {
    await this.type(text);
    return this.waitFor((screen) => screen.replace(/\n/g, '').includes(text), 'the typed command');
  }

  async waitFor(predicate: (screen: string) => boolean, what: string, timeoutMs = 45_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = await this.screen();
      if (predicate(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the pane shows:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    await this.tmux('kill-server').catch(() => undefined);
  }
}

