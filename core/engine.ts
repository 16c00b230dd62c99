import type { Actor } from './audit/audit-log.js';
import { currentActor } from './audit/audit-log.js';
import type { FleetConfig } from './config.js';
import { embeddedDir } from './config.js';
import type { Database } from './db/database.js';
import { isUpToDate, migrate, requireCurrentSchema } from './db/migrate.js';
import { EventRelay } from './db/notifications.js';
import { EventBus } from './events.js';
import type { Fleet } from './fleet.js';
import { InventoryService } from './inventory/inventory-service.js';
import { OperationRunner } from './operations/operation-runner.js';
import type { DriftService } from './drift/drift-service.js';
import type { LifecycleService } from './lifecycle/lifecycle-service.js';

/**
 * The composition root: picks the adapters for a configuration and wires the services.
 * The cockpit, the CLI, the daemon and the HTTP API all drive the same Engine.
 */
export interface Engine {
  readonly config: FleetConfig;
  readonly db: Database;
  readonly events: EventBus;
  readonly relay: EventRelay;
  readonly actor: Actor;
  readonly inventory: InventoryService;
  readonly operations: OperationRunner;
  /** Environment create/delete as journaled operations across every system. */
  readonly lifecycle: LifecycleService;
  /** Drift between the inventory, Git, the clusters and the registrars; repair plans. */
  readonly drift: DriftService;
  /** The outside systems (providers, Git, registrars, clusters); built on first use. */
  fleet(): Promise<Fleet>;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** Apply pending migrations on start (default true; never when read-only, which refuses a schema that is behind). */
  migrate?: boolean;
  /** Use this database instead of opening one from the configuration (tests). */
  db?: Database;
  actor?: Actor;
  /** Builds the fleet's adapters; default: the real ones from the configuration. The sandbox passes its own. */
  fleet?: () => Promise<Fleet>;
}

/**
 * Read-only never creates an embedded database where there is none. Each adapter is imported only when
 * chosen: `pg` alone costs ~150 ms to load, which the embedded path never needs (and PGlite the other way).
 */
export async function openDatabase(config: FleetConfig): Promise<Database> {
  if (config.databaseUrl) return new (await import('./db/pg-database.js')).PgDatabase(config.databaseUrl);
  const { EmbeddedDatabase } = await import('./db/embedded/embedded-database.js');
  return EmbeddedDatabase.open(embeddedDir(config), {
    mustExist: config.readonly, idleTransactionTimeoutMs: config.idleTransactionTimeoutMs,
  });
}

export async function createEngine(config: FleetConfig, options: EngineOptions = {}): Promise<Engine> {
  // The lifecycle and drift services load while the database opens (PGlite compiles its WebAssembly off the main
  // thread, a server is a network round trip away) rather than before: about 20 ms a one-shot command need not wait.
  const opening = options.db ? Promise.resolve(options.db) : openDatabase(config);
  const fleetServices = import('./drift/fleet-services.js');
  fleetServices.catch(() => undefined);
  const db = await opening;
  const cleanups: (() => Promise<void>)[] = [];
  try {
    if (config.readonly) await requireCurrentSchema(db);
    else if (options.migrate !== false && !(await isUpToDate(db))) await migrate(db);
    // LISTEN starts when something subscribes: a one-shot command (`clusters ls`) never needs it, and on a
    // PostgreSQL server it costs a second connection. Publishing (NOTIFY) needs no listener.
    const events = new EventBus(() => void relay.start().catch(() => undefined));
    const relay = new EventRelay(db, events);
    cleanups.push(() => relay.stop());
    const actor = options.actor ?? currentActor();
    const context = { db, actor, readonly: config.readonly };
    const inventory = new InventoryService({ ...context, relay, ranges: config.ranges });
    const operations = new OperationRunner({ ...context, relay });
    let fleet: Promise<Fleet> | null = null;
    // Loaded on first use: the Kubernetes client alone costs most of a second to import.
    const makeFleet = options.fleet ?? (async () => (await import('./fleet-real.js')).realFleet(config));
    const getFleet = (): Promise<Fleet> => {
      fleet ??= makeFleet();
      return fleet;
    };
    // Registered in every process, so any of them can resume any operation.
    const { createFleetServices, fleetPortsFrom } = await fleetServices;
    const { lifecycle, drift } = createFleetServices({
      db, relay, actor, readonly: config.readonly, runner: operations, ranges: config.ranges,
      ports: async () => fleetPortsFrom(await getFleet()),
    });
    const appsKinds = { fleet: getFleet, relay };
    operations.registerLazy('apps.apply', async () => (await import('./apps/apps-kinds.js')).appsApplyKind(appsKinds));
    operations.registerLazy('apps.delete', async () => (await import('./apps/apps-kinds.js')).appsDeleteKind(appsKinds));
    return {
      config, db, events, relay, actor, inventory, operations, lifecycle, drift,
      fleet: getFleet,
      async close() {
        if (fleet) await (await fleet.catch(() => null))?.close().catch(() => undefined);
        for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
        if (!options.db) await db.close();
      },
    };
  } catch (error) {
    if (!options.db) await db.close().catch(() => undefined);
    throw error;
  }
}
