import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../core/config.js';
import type { Engine } from '../../core/engine.js';
import { createEngine } from '../../core/engine.js';
import { openTestDatabase } from './databases.js';

export const TEST_ACTOR = { user: 'ana', host: 'jumpbox' };

/** An engine over a fresh test database of the given kind. */
export async function openTestEngine(kind: 'pglite' | 'postgres', options: { readonly?: boolean } = {}): Promise<{ engine: Engine; url: string | null; close(): Promise<void> }> {
  const test = await openTestDatabase(kind);
  const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-data-'));
  const config = resolveConfig({ dataDir, readonly: options.readonly ?? false }, { HOME: dataDir });
  const engine = await createEngine(config, { db: test.db, actor: TEST_ACTOR });
  return { engine, url: test.url, async close() { await engine.close(); await test.close(); } };
}
