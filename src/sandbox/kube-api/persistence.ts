/**
 * A sandbox cluster's state on disk, kept as etcd keeps a real cluster's: nothing the API server answered is lost
 * when its process is killed. Every change is appended to a write-ahead log (`NAME.json.wal`) before the API server
 * answers it (store listeners run inside the write); a snapshot (`NAME.json`) is written atomically a little after
 * changes, and the log segments it covers are then dropped. Loading reads the snapshot and replays the log after it.
 *
 * A snapshot first rotates the live log to `NAME.json.wal.<rv>` (rv: the snapshot's resourceVersion) and removes
 * that segment only once the snapshot is on disk, so a crash at any point leaves a snapshot plus every change after it.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { KubeObject } from './json.js';
import type { ClusterStore, StoreSnapshot, WatchEventType } from './store.js';

/** One change, as the log holds it. */
export interface LoggedChange {
  rv: number;
  type: WatchEventType;
  object: KubeObject;
}

export interface PersistedState {
  snapshot: StoreSnapshot | undefined;
  /** Changes after the snapshot, oldest first. */
  changes: LoggedChange[];
}

export function stateFileFor(stateDir: string, clusterName: string): string {
  return join(stateDir, `${clusterName}.json`);
}

const walOf = (file: string): string => `${file}.wal`;

/** Rotated log segments of `file`, oldest first, with the resourceVersion each was rotated at. */
function segmentsOf(file: string): { path: string; rv: number }[] {
  const prefix = `${basename(file)}.wal.`;
  let names: string[];
  try {
    names = readdirSync(dirname(file));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .map((n) => ({ path: join(dirname(file), n), rv: Number(n.slice(prefix.length)) }))
    .sort((a, b) => a.rv - b.rv);
}

/** Removes a cluster's snapshot and log. */
export function removeState(stateDir: string, clusterName: string): void {
  const file = stateFileFor(stateDir, clusterName);
  for (const path of [file, walOf(file), ...segmentsOf(file).map((s) => s.path)]) rmSync(path, { force: true });
}

function readSnapshot(file: string): StoreSnapshot | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = JSON.parse(text) as Partial<StoreSnapshot>;
  if (typeof parsed.resourceVersion !== 'number' || !Array.isArray(parsed.objects)) {
    throw new Error(`sandbox state file ${file} is not a sandbox cluster snapshot`);
  }
  return { resourceVersion: parsed.resourceVersion, objects: parsed.objects };
}

function readLog(path: string): LoggedChange[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const changes: LoggedChange[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      changes.push(JSON.parse(line) as LoggedChange);
    } catch {
      break; // A line cut short by a crash: it was never answered, so nothing after it was either.
    }
  }
  return changes;
}

export function readState(file: string): PersistedState {
  const snapshot = readSnapshot(file);
  const after = snapshot?.resourceVersion ?? 0;
  const changes = [...segmentsOf(file).map((s) => s.path), walOf(file)].flatMap(readLog).filter((c) => c.rv > after);
  return { snapshot, changes };
}

export class StatePersister {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private log: number | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly file: string,
    private readonly store: ClusterStore,
    private readonly debounceMs = 1000,
  ) {
    this.unsubscribe = store.subscribe((event) => {
      this.append({ rv: event.rv, type: event.type, object: event.object });
      this.schedule();
    });
  }

  /** Synchronous, so the change is in the file (the OS's cache) before the write that made it is answered. */
  private append(change: LoggedChange): void {
    if (this.log === undefined) {
      mkdirSync(dirname(this.file), { recursive: true });
      this.log = openSync(walOf(this.file), 'a');
    }
    writeSync(this.log, `${JSON.stringify(change)}\n`);
  }

  private schedule(): void {
    this.dirty = true;
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.debounceMs);
  }

  /** Moves the live log aside as the segment a snapshot at `rv` covers; later changes start a new log. */
  private rotate(rv: number): void {
    if (this.log === undefined) return;
    closeSync(this.log);
    this.log = undefined;
    renameSync(walOf(this.file), `${walOf(this.file)}.${rv}`);
  }

  private dropSegmentsUpTo(rv: number): void {
    for (const segment of segmentsOf(this.file)) if (segment.rv <= rv) rmSync(segment.path, { force: true });
  }

  /** Writes a snapshot if anything changed (or always, with `force`); concurrent calls share one write. */
  async flush(force = false): Promise<void> {
    while (this.writing !== undefined) await this.writing;
    if (!this.dirty && !force) return;
    this.dirty = false;
    const snapshot = this.store.snapshot();
    const text = JSON.stringify(snapshot);
    this.rotate(snapshot.resourceVersion);
    const tmp = `${this.file}.${process.pid}.tmp`;
    this.writing = (async () => {
      await mkdir(dirname(this.file), { recursive: true });
      await writeFile(tmp, text);
      await rename(tmp, this.file);
      this.dropSegmentsUpTo(snapshot.resourceVersion);
    })();
    try {
      await this.writing;
    } finally {
      this.writing = undefined;
    }
  }

  /** Final snapshot on stop, after any write in flight, so an older snapshot never lands last; the log goes with it. */
  async close(): Promise<void> {
    this.unsubscribe();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.writing !== undefined) await this.writing;
    if (!this.dirty) return;
    this.dirty = false;
    const snapshot = this.store.snapshot();
    this.rotate(snapshot.resourceVersion);
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.final.tmp`;
    writeFileSync(tmp, JSON.stringify(snapshot));
    renameSync(tmp, this.file);
    this.dropSegmentsUpTo(snapshot.resourceVersion);
  }
}
