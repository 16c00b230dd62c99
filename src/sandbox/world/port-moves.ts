/**
 * After the host moved clusters off busy ports, the database's copies of their URLs follow: one cluster sync
 * re-reads the Primus-SaFE Cluster endpoints (already rewritten in devops) into the dataplane's connection data.
 */
import type { Engine } from '../../../core/engine.js';
import { MANAGEMENT_CLUSTER } from '../../../core/fleet.js';
import type { SandboxFleet } from './sandbox-fleet.js';
import { readWorld } from './world-file.js';

export async function followMovedPorts(engine: Engine, fleet: SandboxFleet): Promise<void> {
  const moved = fleet.host.takeMoves().filter((m) => m.what === 'cluster');
  if (moved.length === 0 || !readWorld(fleet.layout)?.seeded) return;
  const { syncClusters } = await import('../../../core/dataplane/cluster-sync.js');
  const { sandboxSecretBox } = await import('./dataplane-seed.js');
  await syncClusters(engine.db, engine.relay, await fleet.kube(MANAGEMENT_CLUSTER), sandboxSecretBox(fleet.layout));
}
