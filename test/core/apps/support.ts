/** A sandbox cluster with the sandbox's middleware app seeded and its agents running, for apps tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNamed, parseGroup, readClusterApps } from '../../../core/apps/index.js';
import type { Group } from '../../../core/apps/index.js';
import { createKubeGateway } from '../../../core/kube/index.js';
import type { KubeGateway } from '../../../core/kube/index.js';
import { startSandboxAppAgents } from '../../../src/sandbox/apps/app-agents.js';
import type { SandboxAppAgents } from '../../../src/sandbox/apps/app-agents.js';
import { kubeconfigFor, startSandboxCluster } from '../../../src/sandbox/kube-api/index.js';
import type { SandboxCluster } from '../../../src/sandbox/kube-api/index.js';
import { seedAppsInto } from '../../../src/sandbox/world/apps-seed.js';

export interface AppsWorld {
  cluster: SandboxCluster;
  kube: KubeGateway;
  agents: SandboxAppAgents;
  root: string;
  group(name?: string): Promise<Group>;
  close(): Promise<void>;
}

export async function openAppsWorld(): Promise<AppsWorld> {
  const cluster = await startSandboxCluster({ name: 'devops', controller: { jobDelayMs: 50, podStartMs: 50 } });
  const kube = createKubeGateway({ kind: 'kubeconfig', yaml: kubeconfigFor([{ context: 'k3d-devops', url: cluster.url }]), context: 'k3d-devops' });
  const root = mkdtempSync(join(tmpdir(), 'fleetdeck-apps-'));
  let agents: SandboxAppAgents | undefined;
  try {
    await seedAppsInto(kube, { root });
    agents = await startSandboxAppAgents(cluster);
  } catch (error) {
    await cluster.stop();
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  const started = agents;
  return {
    cluster, kube, agents: started, root,
    group: async (name = 'cache-redis') => findNamed((await readClusterApps(kube)).groups, name, 'group'),
    async close() {
      await started.stop();
      await cluster.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export async function eventually<T>(read: () => Promise<T> | T, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export { parseGroup };
