/** `npm run bench`: every benchmark, one after another; each prints its figures and ratios. */
import { benchAllocation } from './allocation.js';
import { benchCockpitKeypress } from './cockpit-keypress.js';
import { benchDataplane } from './dataplane-latency.js';
import { benchDrift } from './drift.js';
import { benchDrDag } from './dr-dag.js';
import { benchInventoryList } from './inventory-list.js';
import { benchSandboxMemory } from './sandbox-memory.js';
import { benchSandboxStartup } from './sandbox-startup.js';
import { benchSandboxWrites } from './sandbox-writes.js';

const BENCHES: Record<string, () => Promise<void>> = {
  allocation: benchAllocation,
  'inventory-list': benchInventoryList,
  dataplane: async () => {
    await benchDataplane();
  },
  'dr-dag': async () => {
    await benchDrDag();
  },
  drift: async () => {
    await benchDrift();
  },
  'cockpit-keypress': async () => {
    await benchCockpitKeypress();
  },
  'sandbox-startup': benchSandboxStartup,
  'sandbox-writes': benchSandboxWrites,
  'sandbox-memory': async () => {
    await benchSandboxMemory(50);
  },
};

const only = process.argv.slice(2);
for (const [name, bench] of Object.entries(BENCHES)) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`\n== ${name}`);
  try {
    await bench();
  } catch (error) {
    console.log(`  failed: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
