import type { Queryable } from '../../core/db/database.js';
import type { OperationKind } from '../../core/operations/types.js';

/**
 * A test operation kind whose steps create rows in `widgets`, checking first like real steps do, so a
 * replay that created anything twice would show up as a duplicate-key error or an extra row.
 */
export async function createWidgetTables(db: Queryable): Promise<void> {
  await db.exec(`CREATE TABLE IF NOT EXISTS widgets (name text PRIMARY KEY, created_count int NOT NULL DEFAULT 1);
    CREATE TABLE IF NOT EXISTS widget_switches (step text PRIMARY KEY, mode text NOT NULL)`);
}

export function widgetKind(db: Queryable, names = ['alpha', 'beta', 'gamma']): OperationKind {
  return {
    kind: 'test.widgets',
    steps: (params) => names.map((name) => ({
      name,
      failureIsWarning: name === params.warnStep,
      async run() {
        const mode = (await db.query<{ mode: string }>('SELECT mode FROM widget_switches WHERE step = $1', [name])).rows[0]?.mode;
        if (mode === 'fail') throw new Error(`${name} is switched to fail`);
        const existing = await db.query('SELECT 1 FROM widgets WHERE name = $1', [`${params.target as string}-${name}`]);
        if (existing.rows.length === 0) await db.query('INSERT INTO widgets (name) VALUES ($1)', [`${params.target as string}-${name}`]);
        if (mode === 'hang') await new Promise(() => undefined);
        return { widget: `${params.target as string}-${name}` };
      },
      async undo(_ctx, outputs) {
        await db.query('DELETE FROM widgets WHERE name = $1', [outputs.widget ?? `${params.target as string}-${name}`]);
      },
    })),
  };
}
