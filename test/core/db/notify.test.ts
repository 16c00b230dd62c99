import { afterEach, describe, expect, it } from 'vitest';
import { EventRelay } from '../../../core/db/notifications.js';
import { PgDatabase } from '../../../core/db/pg-database.js';
import { EventBus } from '../../../core/events.js';
import type { EngineEvent } from '../../../core/events.js';
import { DATABASE_KINDS, openTestDatabase } from '../../support/databases.js';
import type { TestDatabase } from '../../support/databases.js';

function nextEvent(bus: EventBus): Promise<EngineEvent> {
  return new Promise((resolve) => {
    const off = bus.subscribe((event) => {
      off();
      resolve(event);
    });
  });
}

describe.each(DATABASE_KINDS)('LISTEN/NOTIFY on %s', (kind) => {
  let test: TestDatabase;
  afterEach(async () => test?.close());

  it('delivers a notification to a listener', async () => {
    test = await openTestDatabase(kind, { migrated: false });
    const received = new Promise<string>((resolve) => {
      void test.db.listen('fleetdeck_test', resolve);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await test.db.notify('fleetdeck_test', 'hello');
    await expect(received).resolves.toBe('hello');
  });

  it('delivers a notification sent inside a transaction only after commit', async () => {
    test = await openTestDatabase(kind, { migrated: false });
    const seen: string[] = [];
    await test.db.listen('fleetdeck_tx', (payload) => seen.push(payload));
    await test.db.transaction(async (tx) => {
      await tx.query("SELECT pg_notify('fleetdeck_tx', 'committed')");
    });
    await test.db.transaction(async (tx) => {
      await tx.query("SELECT pg_notify('fleetdeck_tx', 'rolled back')");
      throw new Error('abort');
    }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen).toEqual(['committed']);
  });
});

describe('events across processes', () => {
  it('an event published by one connection arrives at another as remote, and not back at the sender', async () => {
    const test = await openTestDatabase('postgres', { migrated: false });
    const other = new PgDatabase(test.url!);
    const busA = new EventBus();
    const busB = new EventBus();
    const relayA = new EventRelay(test.db, busA);
    const relayB = new EventRelay(other, busB);
    try {
      await relayA.start();
      await relayB.start();
      const arrivedAtB = nextEvent(busB);
      const seenByA: EngineEvent[] = [];
      busA.subscribe((event) => seenByA.push(event));
      await relayA.publish({ topic: 'inventory', type: 'cluster.added', target: 'dev' });
      const event = await arrivedAtB;
      expect(event).toMatchObject({ topic: 'inventory', type: 'cluster.added', target: 'dev', origin: 'remote' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seenByA.map((e) => e.origin)).toEqual(['local']);
    } finally {
      await relayA.stop();
      await relayB.stop();
      await other.close();
      await test.close();
    }
  });
});
