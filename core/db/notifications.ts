import { randomUUID } from 'node:crypto';
import type { EngineEvent, EventBus } from '../events.js';
import type { Database } from './database.js';

export const EVENTS_CHANNEL = 'fleetdeck_events';

interface WireEvent {
  source: string;
  event: Omit<EngineEvent, 'origin'>;
}

/**
 * Bridges the in-process EventBus and NOTIFY: `publish` emits locally and notifies other processes,
 * which re-emit the event with origin 'remote'. A process ignores its own notifications.
 */
export class EventRelay {
  private readonly source = randomUUID();
  private unlisten: (() => Promise<void>) | null = null;

  constructor(private readonly db: Database, private readonly bus: EventBus) {}

  async start(): Promise<void> {
    this.unlisten = await this.db.listen(EVENTS_CHANNEL, (payload) => {
      let wire: WireEvent;
      try {
        wire = JSON.parse(payload) as WireEvent;
      } catch {
        return;
      }
      if (wire.source === this.source) return;
      this.bus.emit({ ...wire.event, origin: 'remote' });
    });
  }

  async publish(event: Omit<EngineEvent, 'origin' | 'at'>): Promise<void> {
    const full = { ...event, at: new Date().toISOString() };
    this.bus.emit({ ...full, origin: 'local' });
    const wire: WireEvent = { source: this.source, event: full };
    try {
      await this.db.notify(EVENTS_CHANNEL, JSON.stringify(wire));
    } catch {
      // Other processes fall back to their periodic re-read; the change itself is committed.
    }
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
    this.unlisten = null;
  }
}
