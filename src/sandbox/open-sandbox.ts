import type { FleetConfig } from '../../core/config.js';
import type { Engine } from '../../core/engine.js';
import { createEngine } from '../../core/engine.js';
import type { SandboxFleet } from './world/sandbox-fleet.js';
import { openSandboxFleet } from './world/sandbox-fleet.js';
import { seedWorld } from './world/seed.js';

/** An engine over the sandbox world: same services and code paths, sandbox adapters; seeded on first use. */
export async function openSandboxEngine(config: FleetConfig): Promise<{ engine: Engine; fleet: SandboxFleet }> {
  // The world's API servers start while the embedded database opens (the slower of the two), not after it.
  const opening = openSandboxFleet(config.dataDir);
  opening.catch(() => undefined);
  let engine: Engine;
  try {
    engine = await createEngine(config, { fleet: () => opening });
  } catch (error) {
    await opening.then((fleet) => fleet.close(), () => undefined);
    throw error;
  }
  try {
    const opened = (await engine.fleet()) as SandboxFleet;
    await seedWorld(engine, opened);
    return { engine, fleet: opened };
  } catch (error) {
    await engine.close();
    throw error;
  }
}
