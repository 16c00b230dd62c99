import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../core/engine.js';
import { FleetError } from '../../../core/errors.js';
import { DATABASE_KINDS } from '../../support/databases.js';
import { openTestEngine } from '../../support/engine.js';
import { createWidgetTables, widgetKind } from '../../support/widget-operation.js';

async function widgets(engine: Engine): Promise<string[]> {
  return (await engine.db.query<{ name: string }>('SELECT name FROM widgets ORDER BY name')).rows.map((r) => r.name);
}

describe.each(DATABASE_KINDS)('journaled operations on %s', (kind) => {
  let engine: Engine;
  let url: string | null;
  let close: () => Promise<void>;
  afterEach(async () => close?.());

  async function open(): Promise<void> {
    ({ engine, url, close } = await openTestEngine(kind));
    await createWidgetTables(engine.db);
    engine.operations.register(widgetKind(engine.db));
  }

  it('runs every step in order and records outputs', async () => {
    await open();
    const op = await engine.operations.start('test.widgets', 'dev', { target: 'dev' });
    expect(op.status).toBe('succeeded');
    expect(op.steps.map((s) => [s.name, s.status, s.outputs.widget])).toEqual([
      ['alpha', 'succeeded', 'dev-alpha'], ['beta', 'succeeded', 'dev-beta'], ['gamma', 'succeeded', 'dev-gamma']]);
    expect(await widgets(engine)).toEqual(['dev-alpha', 'dev-beta', 'dev-gamma']);
  });

  it('stops at a failing step with the commands to resume or undo, then resumes without repeating work', async () => {
    await open();
    await engine.db.query("INSERT INTO widget_switches VALUES ('beta', 'fail')");
    const error = await engine.operations.start('test.widgets', 'dev', { target: 'dev' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FleetError);
    const id = (error as FleetError).details.operation as number;
    expect((error as FleetError).message).toBe(`step "beta" of operation ${id} (test.widgets dev) failed: beta is switched to fail`);
    expect((error as FleetError).hint).toContain(`fleetdeck ops resume ${id}`);
    expect((error as FleetError).hint).toContain(`fleetdeck ops undo ${id}`);
    expect((await engine.operations.show(id)).steps.map((s) => s.status)).toEqual(['succeeded', 'failed', 'pending']);
    await engine.db.query('DELETE FROM widget_switches');
    const resumed = await engine.operations.resume(id);
    expect(resumed.status).toBe('succeeded');
    expect(resumed.steps.map((s) => s.attempts)).toEqual([1, 2, 1]);
    expect(await widgets(engine)).toEqual(['dev-alpha', 'dev-beta', 'dev-gamma']);
  });

  it('undo compensates completed steps in reverse order', async () => {
    await open();
    await engine.db.query("INSERT INTO widget_switches VALUES ('gamma', 'fail')");
    const error = (await engine.operations.start('test.widgets', 'dev', { target: 'dev' }).catch((e: unknown) => e)) as FleetError;
    const undone = await engine.operations.undo(error.details.operation as number);
    expect(undone.status).toBe('undone');
    expect(undone.steps.map((s) => s.status)).toEqual(['compensated', 'compensated', 'compensated']);
    expect(await widgets(engine)).toEqual([]);
  });

  it('a warning step records its failure and the operation goes on', async () => {
    await open();
    await engine.db.query("INSERT INTO widget_switches VALUES ('beta', 'fail')");
    const op = await engine.operations.start('test.widgets', 'dev', { target: 'dev', warnStep: 'beta' });
    expect(op.status).toBe('succeeded');
    expect(op.warnings).toEqual(['beta: beta is switched to fail']);
  });

  it('refuses a second operation on a target with an unfinished one, naming it', async () => {
    await open();
    await engine.db.query("INSERT INTO widget_switches VALUES ('alpha', 'fail')");
    const first = (await engine.operations.start('test.widgets', 'dev', { target: 'dev' }).catch((e: unknown) => e)) as FleetError;
    const id = first.details.operation as number;
    await engine.db.query("UPDATE operations SET status = 'running' WHERE id = $1", [id]);
    const second = await engine.operations.start('test.widgets', 'dev', { target: 'dev' }).catch((e: unknown) => e);
    expect((second as FleetError).code).toBe('CONFLICT');
    expect((second as FleetError).message).toBe(`operation ${id} (test.widgets) on dev is unfinished`);
    void url;
  });
});

describe('a process killed in the middle of a step', () => {
  it('leaves an operation that resume finishes without creating anything twice', async () => {
    const { engine, url, close } = await openTestEngine('postgres');
    try {
      await createWidgetTables(engine.db);
      engine.operations.register(widgetKind(engine.db));
      await engine.db.query("INSERT INTO widget_switches VALUES ('beta', 'hang')");
      const child = execa('node', [join(process.cwd(), 'dist/test/support/workers/run-widgets.js'), url!, 'prod']);
      await expect.poll(async () => (await engine.db.query("SELECT 1 FROM widgets WHERE name = 'prod-beta'")).rows.length, { timeout: 30_000 }).toBe(1);
      child.kill('SIGKILL');
      await child.catch(() => undefined);
      const [op] = await engine.operations.list();
      expect(op!.status).toBe('running');
      expect(op!.steps.map((s) => s.status)).toEqual(['succeeded', 'started', 'pending']);
      await engine.db.query('DELETE FROM widget_switches');
      const resumed = await engine.operations.resume(op!.id);
      expect(resumed.status).toBe('succeeded');
      const rows = await engine.db.query<{ name: string; created_count: number }>('SELECT name, created_count FROM widgets ORDER BY name');
      expect(rows.rows).toEqual([
        { name: 'prod-alpha', created_count: 1 }, { name: 'prod-beta', created_count: 1 }, { name: 'prod-gamma', created_count: 1 }]);
    } finally {
      await close();
    }
  }, 90_000);
});
