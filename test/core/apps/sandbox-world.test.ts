/** The sandbox world's app: seeded into the devops cluster of a real sandbox fleet, agents hosted beside it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppsService } from '../../../core/apps/index.js';
import { MANAGEMENT_CLUSTER } from '../../../core/fleet.js';
import type { Engine } from '../../../core/engine.js';
import { startSandboxAppAgents } from '../../../src/sandbox/apps/app-agents.js';
import { sandboxBackupKey, seedApps } from '../../../src/sandbox/world/apps-seed.js';
import { openSandboxFleet } from '../../../src/sandbox/world/sandbox-fleet.js';

describe('the sandbox world\'s middleware app', () => {
  it('is seeded in devops and answers through agents the host starts at the recorded ports', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-apps-world-'));
    const fleet = await openSandboxFleet(dataDir);
    try {
      await seedApps(undefined as unknown as Engine, fleet);
      const agents = await startSandboxAppAgents(fleet.host.cluster(MANAGEMENT_CLUSTER)!);
      try {
        const service = new AppsService({
          kube: () => fleet.kube(MANAGEMENT_CLUSTER), mutation: { db: null as never, actor: { user: 't', host: 'h' }, readonly: true },
          backupKey: () => sandboxBackupKey(fleet.layout),
        });
        const [app] = await service.tree();
        const group = app?.components[0]?.groups[0];
        expect(group).toMatchObject({ name: 'cache-redis', master: 'cache-redis-0', health: 'healthy', version: '7.2.4' });
        const { backups } = await service.backups('cache-redis');
        expect(backups).toEqual([]);

        // The host runs the apps controller: editing the group's ConfigMap reaches the agents with no daemon running.
        const before = group?.members.map((m) => m.configHash);
        const kube = await fleet.kube(MANAGEMENT_CLUSTER);
        await kube.patch({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'middleware', name: 'cache-redis-config' },
          { data: { 'redis.conf': 'appendonly yes\nmaxmemory 128mb\nmaxmemory-policy allkeys-lru\n' } }, 'merge');
        const deadline = Date.now() + 15_000;
        let after = before;
        while (JSON.stringify(after) === JSON.stringify(before) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          after = (await service.tree())[0]?.components[0]?.groups[0]?.members.map((m) => m.configHash);
        }
        expect(after).toHaveLength(2);
        expect(after).not.toEqual(before);
      } finally {
        await agents.stop();
      }
    } finally {
      await fleet.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
