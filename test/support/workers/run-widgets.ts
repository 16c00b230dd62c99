/** Starts a test.widgets operation in its own process (for kill -9 tests). argv: databaseUrl target */
import { resolveConfig } from '../../../core/config.js';
import { createEngine } from '../../../core/engine.js';
import { createWidgetTables, widgetKind } from '../widget-operation.js';

const [databaseUrl, target] = process.argv.slice(2) as [string, string];
const engine = await createEngine(resolveConfig({ databaseUrl }, { HOME: '/nonexistent' }));
await createWidgetTables(engine.db);
engine.operations.register(widgetKind(engine.db));
process.stdout.write('starting\n');
await engine.operations.start('test.widgets', target, { target });
await engine.close();
