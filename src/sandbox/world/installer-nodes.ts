/**
 * The sandbox world's nodes for the dataplane installer: in every hosted cluster, the pods of `primus-lens-installer`
 * Jobs (what the Job runner creates) run for real, as `fleetdeck dataplane installer` processes with the sandbox
 * helm (src/sandbox/helm/installer-pods.ts). Only Jobs the Job runner made have such pods, so with the in-process
 * runner this watches and does nothing. Loaded lazily by the host, after its API servers answer.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInstallerPods, type InstallerPods } from '../helm/installer-pods.js';
import { installSandboxHelm } from '../helm/sandbox-helm.js';
import type { SandboxCluster } from '../kube-api/cluster.js';
import { kubeconfigFor } from '../kube-api/kubeconfig.js';
import type { WorldLayout } from './world-file.js';

/** Runs the installer pods of one cluster; `stop` kills the ones still running. */
export function startInstallerNode(layout: WorldLayout, cluster: SandboxCluster): InstallerPods {
  // What the pod's ServiceAccount token would give it: the API server of the cluster it runs in.
  const dir = join(layout.root, 'nodes');
  mkdirSync(dir, { recursive: true });
  const kubeconfig = join(dir, `${cluster.name}.kubeconfig`);
  writeFileSync(kubeconfig, kubeconfigFor([{ context: 'in-cluster', url: cluster.url }]), { mode: 0o600 });
  const pods = runInstallerPods({ cluster, kubeconfig, helmBin: installSandboxHelm(layout) });
  return {
    started: pods.started,
    async stop() {
      await pods.stop();
      rmSync(kubeconfig, { force: true });
    },
  };
}
