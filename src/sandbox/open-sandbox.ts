import type { FleetConfig } from '../../core/config.js';
import type { Engine } from '../../core/engine.js';
import { createEngine } from '../../core/engine.js';
import type { SandboxFleet } from './world/sandbox-fleet.js';
import { openSandboxFleet } from './world/sandbox-fleet.js';
import { seedWorld } from './world/seed.js';

/** An engine over the sandbox world: same services and code paths, sandbox adapters; seeded on first use. */
export async function openSandboxEngine(config: FleetConfig): Promise<{ engine: Engine; fleet: SandboxFleet }> {
  let fleet: SandboxFleet | null = null;
  const engine = await createEngine(config, {
    fleet: async () => {
      fleet = await openSandboxFleet(config.dataDir);
      return fleet;
    },
  });
  try {
    const opened = (await engine.fleet()) as SandboxFleet;
    await seedWorld(engine, opened);
    return { engine, fleet: opened };
  } catch (error) {
    await engine.close();
    throw error;
  }
}
