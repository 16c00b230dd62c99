/** One JSON file per cluster, written shortly after changes, atomically (write a temp file, then rename). */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ClusterStore, StoreSnapshot } from './store.js';

export function stateFileFor(stateDir: string, clusterName: string): string {
  return join(stateDir, `${clusterName}.json`);
}

export function readSnapshot(file: string): StoreSnapshot | undefined {
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

export class StatePersister {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly file: string,
    private readonly store: ClusterStore,
    private readonly debounceMs = 100,
  ) {
    this.unsubscribe = store.subscribe(() => this.schedule());
  }

  private schedule(): void {
    this.dirty = true;
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.debounceMs);
  }

  /** Writes the current state if it changed (or always, with `force`); concurrent calls share one write. */
  async flush(force = false): Promise<void> {
    while (this.writing !== undefined) await this.writing;
    if (!this.dirty && !force) return;
    this.dirty = false;
    const text = JSON.stringify(this.store.snapshot());
    const tmp = `${this.file}.${process.pid}.tmp`;
    this.writing = (async () => {
      await mkdir(dirname(this.file), { recursive: true });
      await writeFile(tmp, text);
      await rename(tmp, this.file);
    })();
    try {
      await this.writing;
    } finally {
      this.writing = undefined;
    }
  }

  /** Final write on stop, after any write in flight, so an older snapshot never lands last. */
  async close(): Promise<void> {
    this.unsubscribe();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.writing !== undefined) await this.writing;
    if (!this.dirty) return;
    this.dirty = false;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.final.tmp`;
    writeFileSync(tmp, JSON.stringify(this.store.snapshot()));
    renameSync(tmp, this.file);
  }
}
