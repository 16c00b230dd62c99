import { afterEach, describe, expect, it } from 'vitest';
import { watchDrift } from '../../../core/drift/drift-watcher.js';
import type { DriftWatcher } from '../../../core/drift/drift-watcher.js';
import { EventBus } from '../../../core/events.js';
import type { EngineEvent, EventTopic } from '../../../core/events.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts scans; each takes `ms` so overlapping triggers can be seen. */
class FakeDrift {
  scans = 0;
  active = 0;
  maxActive = 0;
  fail: Error | null = null;
  constructor(private readonly ms = 20) {}
  async scan(): Promise<void> {
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    await sleep(this.ms);
    this.active -= 1;
    this.scans += 1;
    if (this.fail) throw this.fail;
  }
}

async function until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const emit = (events: EventBus, topic: EventTopic, type = 'x') =>
  events.emit({ topic, type, origin: 'local', at: new Date().toISOString() } as EngineEvent);

let watcher: DriftWatcher | null = null;
afterEach(() => {
  watcher?.stop();
  watcher = null;
});

describe('watchDrift', () => {
  it('scans once at start, then once per burst of inventory or operations events', async () => {
    const events = new EventBus();
    const drift = new FakeDrift();
    watcher = watchDrift({ events, drift }, { intervalMs: 60_000, debounceMs: 50 });
    await until(() => drift.scans === 1, 'the initial scan');
    for (let i = 0; i < 100; i += 1) emit(events, i % 2 === 0 ? 'inventory' : 'operations');
    await until(() => drift.scans >= 2, 'a rescan after the burst');
    await sleep(200);
    expect(drift.scans).toBe(2);
    expect(drift.maxActive).toBe(1);
  });

  it('ignores other topics, its own drift events among them', async () => {
    const events = new EventBus();
    const drift = new FakeDrift();
    watcher = watchDrift({ events, drift }, { intervalMs: 60_000, debounceMs: 20, initialScan: false });
    emit(events, 'drift', 'drift.scanned');
    emit(events, 'installs');
    await sleep(150);
    expect(drift.scans).toBe(0);
  });

  it('rescans on its interval, never two scans at once, and keeps going after a failed scan', async () => {
    const events = new EventBus();
    const drift = new FakeDrift(30);
    drift.fail = new Error('git unreachable');
    const errors: unknown[] = [];
    watcher = watchDrift({ events, drift }, { intervalMs: 10, debounceMs: 10, onError: (e) => errors.push(e) });
    await until(() => drift.scans >= 4, 'several periodic scans');
    expect(drift.maxActive).toBe(1);
    expect(errors.length).toBeGreaterThanOrEqual(3);
  });

  it('stops scanning after stop()', async () => {
    const events = new EventBus();
    const drift = new FakeDrift(5);
    watcher = watchDrift({ events, drift }, { intervalMs: 20, debounceMs: 10 });
    await until(() => drift.scans >= 1, 'the initial scan');
    watcher.stop();
    await sleep(30);
    const after = drift.scans;
    emit(events, 'inventory');
    await sleep(150);
    expect(drift.scans).toBe(after);
  });

  it('scanNow runs one more scan after the running one instead of overlapping it', async () => {
    const events = new EventBus();
    const drift = new FakeDrift(40);
    watcher = watchDrift({ events, drift }, { intervalMs: 60_000, debounceMs: 10 });
    await sleep(5);
    await Promise.all([watcher.scanNow(), watcher.scanNow()]);
    expect(drift.scans).toBe(2);
    expect(drift.maxActive).toBe(1);
  });
});
