import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelmCli } from '../../../../core/dataplane/index.js';
import { kubeconfigFor, startSandboxCluster } from '../../../../src/sandbox/kube-api/index.js';
import type { SandboxCluster } from '../../../../src/sandbox/kube-api/index.js';
import { installSandboxHelm } from '../../../../src/sandbox/helm/sandbox-helm.js';
import { decodeRelease } from '../../../../src/sandbox/helm/release-secrets.js';
import { worldLayout } from '../../../../src/sandbox/world/world-file.js';

describe('the sandbox helm executable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-sandbox-helm-'));
  const kubeconfig = join(dir, 'kubeconfig');
  let cluster: SandboxCluster;
  let helmBin: string;
  const helm = (args: string[]) => execa(helmBin, args, { reject: false, env: { KUBECONFIG: kubeconfig } });

  beforeAll(async () => {
    cluster = await startSandboxCluster({ name: 'helm-target' });
    writeFileSync(kubeconfig, kubeconfigFor([{ context: 'kind-helm-target', url: cluster.url }], 'kind-helm-target'));
    helmBin = installSandboxHelm(worldLayout(dir));
  });
  afterAll(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('installs a chart as Helm does: a release Secret per revision, the chart\'s workloads ready, status and list as JSON', async () => {
    const values = join(dir, 'values.json');
    writeFileSync(values, JSON.stringify({ global: { clusterName: 'helm-target' } }));
    const missing = await helm(['status', 'primus-lens-apps', '-n', 'lens', '-o', 'json']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('release: not found');

    const installed = await helm(['upgrade', '--install', 'primus-lens-apps', 'primus-lens/applications', '-n', 'lens', '--create-namespace', '-f', values, '--wait', '--timeout', '60s']);
    expect(installed.stderr).toBe('');
    expect(installed.exitCode).toBe(0);
    expect(installed.stdout).toContain('STATUS: deployed');
    const deployments = cluster.objects.list('apps/v1', 'Deployment', 'lens');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['primus-lens-api', 'primus-lens-console', 'primus-lens-telemetry-processor']);
    expect(deployments.every((d) => (d['status'] as { readyReplicas?: number }).readyReplicas === 1)).toBe(true);

    await helm(['upgrade', '--install', 'primus-lens-apps', 'primus-lens/applications', '-n', 'lens', '--set', 'image.tag=v2', '--wait']);
    const secrets = cluster.objects.list('v1', 'Secret', 'lens').filter((s) => s.metadata.labels?.['owner'] === 'helm');
    expect(secrets.map((s) => `${s.metadata.name}:${s.metadata.labels?.['status']}`).sort())
      .toEqual(['sh.helm.release.v1.primus-lens-apps.v1:superseded', 'sh.helm.release.v1.primus-lens-apps.v2:deployed']);
    expect(secrets.every((s) => s['type'] === 'helm.sh/release.v1')).toBe(true);
    expect(decodeRelease(secrets.find((s) => s.metadata.name?.endsWith('.v2'))!)?.config).toEqual({ image: { tag: 'v2' } });

    // fleetdeck's own adapter reads it back.
    const status = await new HelmCli({ binary: helmBin, env: { KUBECONFIG: kubeconfig } }).status({}, 'lens', 'primus-lens-apps');
    expect(status).toMatchObject({ name: 'primus-lens-apps', status: 'deployed', revision: 2, config: { image: { tag: 'v2' } } });
    const listed = JSON.parse((await helm(['list', '-A', '-o', 'json'])).stdout) as { name: string; revision: string; status: string }[];
    expect(listed).toEqual([expect.objectContaining({ name: 'primus-lens-apps', revision: '2', status: 'deployed' })]);

    const removed = await helm(['uninstall', 'primus-lens-apps', '-n', 'lens']);
    expect(removed.stdout).toContain('release "primus-lens-apps" uninstalled');
    expect(cluster.objects.list('apps/v1', 'Deployment', 'lens')).toEqual([]);
    expect(JSON.parse((await helm(['list', '-A', '-o', 'json'])).stdout)).toEqual([]);
  }, 90_000);

  it('a chart told to fail leaves a failed revision and exits 1 with Helm\'s wording', async () => {
    const failed = await helm(['upgrade', '--install', 'broken', 'primus-lens/init', '-n', 'lens2', '--create-namespace', '--set', 'sandbox.fail=true']);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toMatch(/^Error: INSTALLATION FAILED: /);
    const status = JSON.parse((await helm(['status', 'broken', '-n', 'lens2', '-o', 'json'])).stdout) as { info: { status: string } };
    expect(status.info.status).toBe('failed');
  }, 60_000);

  it('a helm killed mid --wait leaves the revision pending-upgrade: upgrade is refused as Helm 3 refuses it, rollback unsticks it', async () => {
    const ns = 'lens3';
    const secrets = () => cluster.objects.list('v1', 'Secret', ns).filter((x) => x.metadata.labels?.['owner'] === 'helm')
      .map((x) => `v${x.metadata.labels?.['version']}:${x.metadata.labels?.['status']}`).sort();
    expect((await helm(['upgrade', '--install', 'apps', 'primus-lens/applications', '-n', ns, '--create-namespace', '--wait'])).exitCode).toBe(0);
    // Crash-looping pods never get ready: --wait waits, and the process is killed while it does (a worker dying).
    const stuck = helm(['upgrade', '--install', 'apps', 'primus-lens/applications', '-n', ns, '--set', 'sandbox.crashLoop=true', '--wait', '--timeout', '600s']);
    for (let i = 0; i < 200 && !secrets().includes('v2:pending-upgrade'); i += 1) await new Promise((r) => setTimeout(r, 50));
    stuck.kill('SIGKILL');
    await stuck;
    expect(secrets()).toEqual(['v1:deployed', 'v2:pending-upgrade']);

    const refused = await helm(['upgrade', '--install', 'apps', 'primus-lens/applications', '-n', ns, '--wait']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toBe('Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress');
    const history = JSON.parse((await helm(['history', 'apps', '-n', ns, '-o', 'json'])).stdout) as { revision: number; status: string }[];
    expect(history.map((r) => `${r.revision}:${r.status}`)).toEqual(['1:deployed', '2:pending-upgrade']);

    const rolledBack = await helm(['rollback', 'apps', '1', '-n', ns, '--wait']);
    expect(rolledBack.stdout).toContain('Rollback was a success! Happy Helming!');
    expect(secrets()).toEqual(['v1:superseded', 'v2:superseded', 'v3:deployed']);
    const again = await helm(['upgrade', '--install', 'apps', 'primus-lens/applications', '-n', ns, '--wait', '--version', '0.2.0']);
    expect(again.exitCode).toBe(0);
    const status = await new HelmCli({ binary: helmBin, env: { KUBECONFIG: kubeconfig } }).status({}, ns, 'apps');
    expect(status).toMatchObject({ status: 'deployed', revision: 4, chartName: 'applications', chartVersion: '0.2.0' });
    const chart = await new HelmCli({ binary: helmBin, env: { KUBECONFIG: kubeconfig } }).showChart('primus-lens/applications', '0.3.1');
    expect(chart).toEqual({ name: 'applications', version: '0.3.1' });
  }, 90_000);
});
