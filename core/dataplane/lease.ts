import type { Database } from '../db/database.js';

/**
 * A lease row makes a loop a singleton across processes. Unlike a session advisory lock it needs no dedicated
 * connection, so it works the same through a pg pool, PGlite and the embedded owner; it expires if its holder dies.
 */
export async function tryLease(db: Database, name: string, holder: string, ttlMs: number): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO dataplane_leases AS l (name, holder, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3::double precision / 1000))
     ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
     WHERE l.holder = EXCLUDED.holder OR l.expires_at < now()
     RETURNING holder`, [name, holder, ttlMs]);
  return result.rowCount > 0;
}

export async function releaseLease(db: Database, name: string, holder: string): Promise<void> {
  await db.query('DELETE FROM dataplane_leases WHERE name = $1 AND holder = $2', [name, holder]);
}

export interface SingletonLoopOptions<R> {
  db: Database;
  name: string;
  holder: string;
  intervalMs: number;
  run(): Promise<R>;
  onResult?(result: R): void;
  onError?(error: unknown): void;
}

/** Runs `run` every interval (or at once on `kick`) while this process holds the lease named `name`. */
export class SingletonLoop<R> {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  constructor(private readonly options: SingletonLoopOptions<R>) {}

  start(): void {
    this.stopped = false;
    this.kick();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.running = this.tick().finally(() => {
      this.running = null;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.kick();
      } else {
        this.timer = setTimeout(() => this.kick(), this.options.intervalMs);
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await releaseLease(this.options.db, this.options.name, this.options.holder).catch(() => undefined);
  }

  private async tick(): Promise<void> {
    const { db, name, holder, intervalMs } = this.options;
    try {
      if (!(await tryLease(db, name, holder, intervalMs * 3))) return;
      const result = await this.options.run();
      this.options.onResult?.(result);
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}
