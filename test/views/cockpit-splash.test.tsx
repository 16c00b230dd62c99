import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { openingSource } from '../../src/tui/opening-source.js';
import { splashFrame } from '../../src/tui/splash.js';
import { Cockpit } from '../../views/cockpit.js';
import { createCockpitStore } from '../../views/store/cockpit-store.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;
const SGR_COLOUR = /\x1b\[(?:[0-9;]*;)?3[0-7](?:;[0-9;]*)?m/;

/** The splash as a screen: row number → text, from its cursor-positioned writes. */
function splashRows(frame: string): Map<number, string> {
  const rows = new Map<number, string>();
  for (const part of frame.split('\x1b[').slice(1)) {
    const match = /^(\d+);1H([\s\S]*)$/.exec(part);
    if (match) rows.set(Number(match[1]), match[2]!);
    else if (rows.size > 0) {
      const last = [...rows.keys()].pop()!;
      rows.set(last, `${rows.get(last)!}\x1b[${part}`);
    }
  }
  return new Map([...rows].map(([row, text]) => [row, text.replace(ANSI, '')]));
}

describe('the first frame drawn before Ink and the database are loaded', () => {
  const status = { databaseTarget: 'embedded /data/db', sandbox: false, readonly: true, managementCluster: 'devops' };

  it('has Ink\'s panel bar and status line in the same places, saying the database is opening', async () => {
    const opening = openingSource(status);
    const splash = splashRows(splashFrame(opening.status, { rows: 30, columns: 120 }, false));
    const store = createCockpitStore(opening.status);
    const app = render(<Cockpit store={store} source={opening} size={{ rows: 30, columns: 120 }} theme={{ color: false }} />);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const ink = (app.lastFrame() ?? '').replace(ANSI, '').split('\n');
    app.unmount();
    expect(splash.get(1)!.trimEnd()).toBe(ink[0]!.trimEnd());
    // Ink's line goes on with the counts, which the splash leaves out.
    expect(ink[27]!.startsWith(splash.get(28)!.trimEnd())).toBe(true);
    expect(splash.get(28)).toContain('READ-ONLY');
    expect(splash.get(28)).toContain('db embedded /data/db (opening database…)');
    expect(ink.join('\n')).toContain('loading the inventory…');
    expect(splash.get(3)).toContain('loading the inventory…');
  });

  it('fits the terminal and honours NO_COLOR', () => {
    const narrow = splashFrame(openingSource(status).status, { rows: 10, columns: 30 }, true);
    expect([...splashRows(narrow).values()].every((line) => [...line].length <= 30)).toBe(true);
    expect([...splashRows(narrow).keys()].every((row) => row <= 9)).toBe(true);
    expect(narrow).toMatch(SGR_COLOUR);
    expect(splashFrame(openingSource(status).status, { rows: 30, columns: 120 }, false)).not.toMatch(SGR_COLOUR);
  });
});
