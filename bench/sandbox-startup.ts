import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../core/config.js';
import { openSandboxEngine } from '../src/sandbox/open-sandbox.js';
import { waitUntilServing } from '../src/sandbox/world/cluster-backend.js';
import { openSandboxFleet } from '../src/sandbox/world/sandbox-fleet.js';
import { readWorld } from '../src/sandbox/world/world-file.js';
import { fmt } from './support.js';

/** Time until every API server of an existing sandbox world answers, after the world's first creation. */
export async function benchSandboxStartup(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-bench-sandbox-'));
  const config = resolveConfig({ dataDir, sandbox: true }, { HOME: dataDir });
  let started = performance.now();
  const first = await openSandboxEngine(config);
  const creation = performance.now() - started;
  await first.engine.close();
  const runs: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    started = performance.now();
    const fleet = await openSandboxFleet(dataDir);
    const world = readWorld(fleet.layout)!;
    await Promise.all([world.management, ...world.clusters].map((c) => waitUntilServing(`http://127.0.0.1:${c.port}`)));
    runs.push(performance.now() - started);
    await fleet.close();
  }
  console.log('sandbox world startup');
  console.log(`  first creation (PGlite initdb, 6 environments created, drift injected): ${fmt(creation, 0)} ms`);
  console.log(`  later starts, all ${readWorld((await import('../src/sandbox/world/world-file.js')).worldLayout(dataDir))!.clusters.length + 1} API servers answering: ${runs.map((r) => fmt(r, 0)).join(', ')} ms (budget 2000 ms)`);
}
