/**
 * The typed event stream. Every state change in the engine is emitted here in-process and, through
 * `core/db/notifications.ts`, as a NOTIFY so other fleetdeck processes re-emit it with origin 'remote'.
 * Front ends subscribe; the core never calls a UI.
 *
 * Events are a union discriminated by `topic` (and, for the fully typed topics, by `type`): inventory,
 * operations and drift events name every type and carry typed data. Installs, DR, apps and sandbox events
 * still use the typed fallback (`type: string`, `data` a record) until their subsystems list theirs.
 */
export type EventTopic = 'inventory' | 'operations' | 'drift' | 'installs' | 'dr' | 'apps' | 'sandbox';

/** A change to the cluster inventory; `target` is the cluster's name. */
export type InventoryEvent =
  | { topic: 'inventory'; type: 'cluster.added'; target: string; data?: { adopted?: boolean } }
  | { topic: 'inventory'; type: 'cluster.removed'; target: string; data?: undefined }
  | { topic: 'inventory'; type: 'cluster.updated'; target: string; data?: undefined }
  | { topic: 'inventory'; type: 'clusters.imported'; target?: undefined; data: { imported: number } };

export type OperationEventType =
  | 'operation.started' | 'operation.succeeded' | 'operation.failed'
  | 'operation.undoing' | 'operation.undone' | 'operation.undo_failed'
  | 'step.started' | 'step.succeeded' | 'step.warning' | 'step.compensating' | 'step.compensated';

/** Progress of a journaled operation; `target` is the operation's id, `data.target` what it works on. */
export interface OperationEvent {
  topic: 'operations';
  type: OperationEventType;
  target: string;
  data: { target: string; step?: string };
}

/** A drift scan finished, or a repair plan moved; `target` is the plan's id. */
export type DriftEvent =
  | { topic: 'drift'; type: 'drift.scanned'; target?: undefined; data?: { items: number; unchecked: string[]; checkedAt: string } }
  | { topic: 'drift'; type: 'plan.created'; target: string; data: { actions: number } }
  | { topic: 'drift'; type: 'plan.refused'; target: string; data?: undefined }
  | { topic: 'drift'; type: 'plan.applied'; target: string; data: { operation: number } };

/** The typed fallback for topics whose events are not listed one by one yet. */
export interface UntypedEvent {
  topic: 'installs' | 'dr' | 'apps' | 'sandbox';
  /** What happened, e.g. 'task.stage', 'execution.created'. */
  type: string;
  /** The name or id the event is about, when there is one. */
  target?: string;
  data?: Record<string, unknown>;
}

/** What a publisher hands the relay; it adds `origin` and `at`. */
export type EngineEventInput = InventoryEvent | OperationEvent | DriftEvent | UntypedEvent;

export interface EventEnvelope {
  /** 'remote' when the event came from another process through NOTIFY. */
  origin: 'local' | 'remote';
  at: string;
}

export type EngineEvent = EngineEventInput & EventEnvelope;

export type EventListener = (event: EngineEvent) => void;

export class EventBus {
  private listeners = new Set<{ listener: EventListener; topics: ReadonlySet<EventTopic> | null }>();

  /** `onDemand` runs when the first listener subscribes (the engine starts LISTENing only then). */
  constructor(private readonly onDemand: () => void = () => undefined) {}

  subscribe(listener: EventListener, topics?: readonly EventTopic[]): () => void {
    const entry = { listener, topics: topics ? new Set(topics) : null };
    if (this.listeners.size === 0) this.onDemand();
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
