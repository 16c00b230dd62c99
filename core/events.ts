/**
 * The typed event stream. Every state change in the engine is emitted here in-process and, through
 * `core/db/notifications.ts`, as a NOTIFY so other fleetdeck processes re-emit it with origin 'remote'.
 * Front ends subscribe; the core never calls a UI.
 */
export type EventTopic = 'inventory' | 'operations' | 'drift' | 'installs' | 'dr' | 'apps' | 'sandbox';

export interface EngineEvent {
  topic: EventTopic;
  /** What happened, e.g. 'cluster.added', 'cluster.removed', 'task.stage'. */
  type: string;
  /** The name or id the event is about, when there is one. */
  target?: string;
  data?: Record<string, unknown>;
  /** 'remote' when the event came from another process through NOTIFY. */
  origin: 'local' | 'remote';
  at: string;
}

export type EventListener = (event: EngineEvent) => void;

export class EventBus {
  private listeners = new Set<{ listener: EventListener; topics: ReadonlySet<EventTopic> | null }>();

  subscribe(listener: EventListener, topics?: readonly EventTopic[]): () => void {
    const entry = { listener, topics: topics ? new Set(topics) : null };
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  emit(event: EngineEvent): void {
    for (const { listener, topics } of this.listeners) {
      if (topics && !topics.has(event.topic)) continue;
      try {
        listener(event);
      } catch {
        // A failing listener must not stop the others, nor the engine that emitted.
      }
    }
  }
}
