import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveConfig } from '../core/config.js';
import { createEngine } from '../core/engine.js';
import type { ClusterRecord } from '../core/inventory/types.js';
import { engineSource } from '../src/tui/engine-source.js';
import { loadTerminalUi } from '../src/tui/load-terminal-ui.js';
import type { CockpitSource } from '../views/source.js';

/** Loaded the way `fleetdeck` loads them (production React, Ink not in CI mode), so the figures match. */
const { render } = await loadTerminalUi(() => import('ink'));
const { createElement } = await loadTerminalUi(() => import('react'));
const { Cockpit } = await loadTerminalUi(() => import('../views/cockpit.js'));
const { createCockpitStore } = await loadTerminalUi(() => import('../views/store/cockpit-store.js'));

/**
 * Keypress → next frame in the Clusters panel at 1,000 and 10,000 clusters, side by side (the budget is
 * < 30 ms median at 10k and within 1.5× of 1k), and the first frame, in memory and from an embedded database.
 * Ink runs in debug mode against a fake 120x30 terminal: every frame is written at once, unthrottled.
 */
const ROWS = 30;
const COLUMNS = 120;

class FakeStdout extends EventEmitter {
  readonly isTTY = true;
  readonly rows = ROWS;
  readonly columns = COLUMNS;
  frames = 0;
  last = '';
  private waiters: (() => void)[] = [];
  write = (frame: string): boolean => {
    this.frames += 1;
    this.last = frame;
    for (const waiter of this.waiters.splice(0)) waiter();
    return true;
  };
  nextFrame(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

class FakeStdin extends EventEmitter {
  readonly isTTY = true;
  private pending: string | null = null;
  setRawMode(): this { return this; }
  setEncoding(): this { return this; }
  ref(): this { return this; }
  unref(): this { return this; }
  resume(): this { return this; }
  pause(): this { return this; }
  read = (): string | null => {
    const data = this.pending;
    this.pending = null;
    return data;
  };
  press(data: string): void {
    this.pending = data;
    this.emit('readable');
  }
}

function syntheticClusters(count: number): ClusterRecord[] {
  const created = new Date(Date.now() - 86_400_000).toISOString();
  return Array.from({ length: count }, (_, i) => ({
    name: `env-${String(i).padStart(5, '0')}`,
    provider: i % 2 === 0 ? 'k3d' : 'kind',
    subnet: i % 2 === 0 ? `10.${64 + Math.floor(i / 256)}.${i % 256}.0/24` : null,
    nodePort: 30080,
    pfPort: 20000 + i * 3,
    httpPort: 20001 + i * 3,
    httpsPort: 20002 + i * 3,
    registerPortainer: true,
    haproxyRoute: i % 3 !== 0,
    createdAt: created,
    updatedAt: created,
  }));
}

function memorySource(rows: ClusterRecord[]): CockpitSource {
  return {
    status: { databaseTarget: 'memory (bench)', sandbox: false, readonly: false },
    listClusters: async () => rows,
    subscribe: () => () => undefined,
    removeCluster: async () => undefined,
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

interface Mounted {
  stdin: FakeStdin;
  stdout: FakeStdout;
  firstFrameMs: number;
  unmount(): void;
}

/** Renders the cockpit and waits for the first frame that shows `expect`. */
async function mount(source: CockpitSource, expect: string, startedAt = performance.now()): Promise<Mounted> {
  // startedAt includes whatever the caller did first (opening the engine); otherwise from render().
  const stdout = new FakeStdout();
  const stdin = new FakeStdin();
  const store = createCockpitStore(source.status, ROWS - 6);
  const instance = render(createElement(Cockpit, { store, source, theme: { color: false } }), {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true, exitOnCtrlC: false, patchConsole: false,
  });
  while (!stdout.last.includes(expect)) await stdout.nextFrame();
  const firstFrameMs = performance.now() - startedAt;
  return { stdin, stdout, firstFrameMs, unmount: () => instance.unmount() };
}

/** One keypress and the time until Ink has written the frame it caused. */
async function pressAndTime(ui: Mounted, key: string): Promise<number> {
  const before = ui.stdout.frames;
  const t0 = performance.now();
  const framed = ui.stdout.nextFrame();
  ui.stdin.press(key);
  if (ui.stdout.frames === before) await framed;
  return performance.now() - t0;
}

/**
 * Both fleets are mounted at once and pressed alternately, so a noisy machine slows both alike and the
 * ratio stays meaningful. The cursor walks down a few pages (the window scrolls) and back up.
 */
async function keypressMedians(presses: number): Promise<{ small: number[]; large: number[]; firstSmall: number; firstLarge: number }> {
  const small = await mount(memorySource(syntheticClusters(1000)), 'env-00000');
  const large = await mount(memorySource(syntheticClusters(10_000)), 'env-00000');
  const samples = { small: [] as number[], large: [] as number[] };
  try {
    for (let i = 0; i < presses; i += 1) {
      const key = i < presses / 2 ? 'j' : 'k';
      const order = i % 2 === 0 ? (['small', 'large'] as const) : (['large', 'small'] as const);
      for (const which of order) samples[which].push(await pressAndTime(which === 'small' ? small : large, key));
    }
  } finally {
    small.unmount();
    large.unmount();
  }
  return { ...samples, firstSmall: small.firstFrameMs, firstLarge: large.firstFrameMs };
}

/** First frame from an existing embedded database: open the engine, read the inventory, draw. */
async function embeddedFirstFrame(): Promise<number> {
  const dataDir = await mkdtemp(join(tmpdir(), 'fleetdeck-bench-cockpit-'));
  try {
    const config = resolveConfig({ dataDir });
    const setup = await createEngine(config);
    await setup.inventory.add({ name: 'bench-first', provider: 'k3d' });
    await setup.close();
    const started = performance.now();
    const engine = await createEngine(config);
    try {
      const ui = await mount(engineSource(engine), 'bench-first', started);
      ui.unmount();
      return ui.firstFrameMs;
    } finally {
      await engine.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

export interface CockpitKeypressResult {
  keypressMedianMs1k: number;
  keypressMedianMs10k: number;
  ratio: number;
  firstFrameMs1k: number;
  firstFrameMs10k: number;
  firstFrameEmbeddedMs: number;
  withinBudget: boolean;
}

export async function benchCockpitKeypress(presses = 400): Promise<CockpitKeypressResult> {
  await keypressMedians(60); // warm up the JIT and Yoga
  const run = await keypressMedians(presses);
  const small = median(run.small.slice(10));
  const large = median(run.large.slice(10));
  const embedded = await embeddedFirstFrame();
  const ratio = large / small;
  const withinBudget = large < 30 && ratio <= 1.5 && embedded < 1000;
  const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
  console.log(`cockpit: keypress → next frame, median of ${presses} (Clusters panel, 120x30, pressed alternately)`);
  console.log(`  1,000 clusters   ${fmt(small)}`);
  console.log(`  10,000 clusters  ${fmt(large)}   ratio 10k/1k ${ratio.toFixed(2)}x   (budget < 30 ms, ≤ 1.5x)`);
  console.log(`cockpit: first frame  in memory 1k ${fmt(run.firstSmall)}, 10k ${fmt(run.firstLarge)};` +
    ` engine opening an existing embedded database + first frame ${fmt(embedded)} (budget < 1 s)`);
  console.log(`cockpit: ${withinBudget ? 'within budget' : 'OVER BUDGET'}`);
  return {
    keypressMedianMs1k: small, keypressMedianMs10k: large, ratio,
    firstFrameMs1k: run.firstSmall, firstFrameMs10k: run.firstLarge, firstFrameEmbeddedMs: embedded, withinBudget,
  };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await benchCockpitKeypress();
}
