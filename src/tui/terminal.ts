const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H\x1b[2J';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

/**
 * Switches to the alternate screen and hides the cursor; `restore` puts the user's screen back exactly
 * as it was. Writes to a TTY are synchronous, so restore is safe inside signal and crash handlers.
 */
export function enterFullscreen(stdout: NodeJS.WriteStream, stdin: NodeJS.ReadStream): { restore(): void } {
  stdout.write(ENTER_ALT_SCREEN + HIDE_CURSOR);
  // Raw mode at once, so keys typed while the first frame is on its way are not echoed over it.
  if (stdin.isTTY) stdin.setRawMode(true);
  let restored = false;
  return {
    restore() {
      if (restored) return;
      restored = true;
      try {
        if (stdin.isTTY) stdin.setRawMode(false);
      } catch {
        // The terminal may already be gone (SIGHUP).
      }
      stdout.write(SHOW_CURSOR + LEAVE_ALT_SCREEN);
    },
  };
}
