import { randomUUID } from 'node:crypto';
import type { EngineEvent, EngineEventInput, EventBus } from '../events.js';
import type { Database, Queryable } from './database.js';

export const EVENTS_CHANNEL = 'fleetdeck_events';

interface WireEvent {
  source: string;
  event: EngineEventInput & { at: string };
}

/**
 * Bridges the in-process EventBus and NOTIFY: `publish` emits locally and notifies other processes,
 * which re-emit the event with origin 'remote'. A process ignores its own notifications.
 */
export class EventRelay {
  private readonly source = randomUUID();
  private unlisten: (() => Promise<void>) | null = null;
  private starting: Promise<void> | null = null;

  constructor(private readonly db: Database, private readonly bus: EventBus) {}

  /** Starts listening for other processes' events; once, however often it is called (retried after a failure). */
  start(): Promise<void> {
    this.starting ??= this.listen().catch((error: unknown) => {
      this.starting = null;
      throw error;
    });
    return this.starting;
  }

  private async listen(): Promise<void> {
    this.unlisten = await this.db.listen(EVENTS_CHANNEL, (payload) => {
      let wire: WireEvent;
      try {
        wire = JSON.parse(payload) as WireEvent;
      } catch {
        return;
      }
      if (wire.source === this.source) return;
      this.bus.emit({ ...wire.event, origin: 'remote' } as EngineEvent);
    });
  }

  async publish(event: EngineEventInput): Promise<void> {
    const full = { ...event, at: new Date().toISOString() };
    this.bus.emit({ ...full, origin: 'local' } as EngineEvent);
    const wire: WireEvent = { source: this.source, event: full };
    try {
      await this.db.notify(EVENTS_CHANNEL, JSON.stringify(wire));
    } catch {
      // Other processes fall back to their periodic re-read; the change itself is committed.
    }
  }

  /**
   * NOTIFYs `event` inside the transaction `tx`: other processes receive it when, and only if, the
   * transaction commits. Returns the event to hand `emitLocal` once the commit succeeded.
   */
  async notifyWithin(tx: Queryable, event: EngineEventInput): Promise<EngineEventInput & { at: string }> {
    const full = { ...event, at: new Date().toISOString() };
    const wire: WireEvent = { source: this.source, event: full };
    await tx.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, JSON.stringify(wire)]);
    return full;
  }

  /** Emits an event of a committed change in this process (see notifyWithin). */
  emitLocal(event: EngineEventInput & { at: string }): void {
    this.bus.emit({ ...event, origin: 'local' } as EngineEvent);
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.unlisten?.();
    this.unlisten = null;
  }
}
