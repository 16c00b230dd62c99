import { join } from 'node:path';
import type { Engine } from '../../../core/engine.js';
import { withFileLock } from '../../../core/gitops/file-lock.js';
import type { ClusterRecord, ClusterSpec } from '../../../core/inventory/types.js';
import { followMovedPorts } from './port-moves.js';
import type { SandboxFleet } from './sandbox-fleet.js';
import { readWorld, updateWorld } from './world-file.js';

/** Kindler's six business environments (seed 001's regression rounds). */
export const SANDBOX_ENVIRONMENTS: readonly ClusterSpec[] = [
  { name: 'dev', provider: 'kind' },
  { name: 'uat', provider: 'kind' },
  { name: 'prod', provider: 'kind' },
  { name: 'dev-k3d', provider: 'k3d' },
  { name: 'uat-k3d', provider: 'k3d' },
  { name: 'prod-k3d', provider: 'k3d' },
];

/** The drift the sandbox starts with, so the Drift panel has something to show. */
export const SEEDED_DRIFT = {
  missingBranch: 'uat',
  orphanBranch: 'legacy-qa',
  missingPortainer: 'prod-k3d',
  orphanCluster: 'scratch',
} as const;

/** The same journaled operation a real fleet runs; resumed if an earlier seeding was interrupted. */
async function createEnvironment(engine: Engine, spec: ClusterSpec): Promise<ClusterRecord> {
  const existing = (await engine.inventory.list()).find((c) => c.name === spec.name);
  if (!existing) await engine.lifecycle.create(spec.name, spec.provider);
  else {
    const unfinished = (await engine.operations.list()).find((op) => op.target === spec.name && op.status !== 'succeeded');
    if (unfinished) await engine.operations.resume(unfinished.id);
  }
  return engine.inventory.show(spec.name);
}

/**
 * Fills a new sandbox world: the six environments created the way a real fleet's are, then a little drift.
 * Runs once per world; `sandbox reset` starts afresh.
 */
export async function seedWorld(engine: Engine, fleet: SandboxFleet): Promise<boolean> {
  await followMovedPorts(engine, fleet);
  if (readWorld(fleet.layout)?.seeded) return false;
  return withFileLock(join(fleet.layout.root, 'seed.lock'), () => seedOnce(engine, fleet), { timeoutMs: 120_000 });
}

async function seedOnce(engine: Engine, fleet: SandboxFleet): Promise<boolean> {
  if (readWorld(fleet.layout)?.seeded) return false;
  const created: ClusterRecord[] = [];
  for (const spec of SANDBOX_ENVIRONMENTS) created.push(await createEnvironment(engine, spec));
  await fleet.git.deleteBranch(SEEDED_DRIFT.missingBranch);
  const template = created[0]!;
  await fleet.git.ensureBranch({ ...template, name: SEEDED_DRIFT.orphanBranch });
  await fleet.registrars.portainer.remove(SEEDED_DRIFT.missingPortainer);
  await fleet.providers.k3d.create({ ...template, name: SEEDED_DRIFT.orphanCluster, provider: 'k3d', subnet: '10.250.0.0/24',
    pfPort: 61000, httpPort: 61001, httpsPort: 61002 });
  // Imported here, on a world's first start only: they load the dataplane, DR and apps modules (seconds).
  await (await import('./dataplane-seed.js')).seedDataplane(engine, fleet, fleet.layout);
  await (await import('../dr/seed.js')).seedDrPlans(engine);
  await (await import('./apps-seed.js')).seedApps(engine, fleet);
  await updateWorld(fleet.layout, (world) => ({ ...world!, seeded: true }));
  await engine.relay.publish({ topic: 'sandbox', type: 'world.seeded' });
  return true;
}
