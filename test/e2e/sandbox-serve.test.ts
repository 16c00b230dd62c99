import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, fleetdeck } from '../support/cli.js';

/** `fleetdeck sandbox serve` in the background; resolves with what it printed once it says it is serving. */
function serve(dataDir: string): { child: ResultPromise; ready: Promise<string> } {
  const child = execa('node', [BIN, '--data-dir', dataDir, 'sandbox', 'serve'], { reject: false });
  let printed = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      printed += chunk.toString('utf8');
      if (printed.includes('Press ctrl-c to stop.')) resolve(printed);
    });
    void child.then((r) => reject(new Error(`sandbox serve exited ${r.exitCode}: ${String(r.stderr)}`)));
  });
  return { child, ready };
}

async function kubectl(kubeconfig: string, ...args: string[]) {
  return execa('kubectl', ['--kubeconfig', kubeconfig, ...args], { reject: false, timeout: 30_000 });
}

const MARKER = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'marker', namespace: 'default' }, data: { by: 'test' } });

describe('fleetdeck sandbox serve and reset', () => {
  let dataDir = '';
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fleetdeck-serve-'));
  });
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('serves every cluster to kubectl until interrupted; reset is refused while served, then builds a fresh world', async () => {
    const first = serve(dataDir);
    const printed = await first.ready;
    const kubeconfig = /export KUBECONFIG=(\S+)/.exec(printed)?.[1];
    expect(kubeconfig).toBe(join(dataDir, 'sandbox', 'kubeconfig'));
    for (const context of ['kind-dev', 'kind-uat', 'kind-prod', 'k3d-dev-k3d', 'k3d-uat-k3d', 'k3d-prod-k3d']) {
      expect(printed).toContain(context);
    }
    const contexts = await kubectl(kubeconfig!, 'config', 'get-contexts', '-o', 'name');
    expect(String(contexts.stdout).split('\n').sort()).toEqual(expect.arrayContaining(['k3d-dev-k3d', 'kind-dev', 'kind-prod']));
    const namespaces = await kubectl(kubeconfig!, '--context', 'kind-dev', 'get', 'namespaces', '-o', 'name');
    expect(namespaces.exitCode, String(namespaces.stderr)).toBe(0);
    expect(String(namespaces.stdout)).toContain('namespace/default');
    const marked = await execa('kubectl', ['--kubeconfig', kubeconfig!, '--context', 'kind-dev', 'apply', '-f', '-'], { input: MARKER, reject: false, timeout: 30_000 });
    expect(marked.exitCode, String(marked.stderr)).toBe(0);

    const refused = await fleetdeck(['--data-dir', dataDir, 'sandbox', 'reset']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('error: another fleetdeck process is using the sandbox world');
    expect(refused.stderr).toContain('hint: Quit the cockpit or `sandbox serve` that uses it');

    first.child.kill('SIGINT');
    expect((await first.child).exitCode).toBe(0);
    // Nothing answers once it stopped.
    expect((await kubectl(kubeconfig!, '--context', 'kind-dev', '--request-timeout=2s', 'get', 'namespaces')).exitCode).not.toBe(0);

    // Served again, the world is as it was left.
    const again = serve(dataDir);
    await again.ready;
    expect((await kubectl(kubeconfig!, '--context', 'kind-dev', 'get', 'configmap', 'marker', '-o', 'jsonpath={.data.by}')).stdout).toBe('test');
    again.child.kill('SIGINT');
    await again.child;

    const reset = await fleetdeck(['--data-dir', dataDir, 'sandbox', 'reset']);
    expect(reset.exitCode, reset.stderr).toBe(0);
    const served = printed.split('\n').filter((line) => line.includes('http://127.0.0.1:')).length;
    expect(served).toBeGreaterThanOrEqual(7);
    expect(reset.stdout).toMatch(new RegExp(`^Built a fresh sandbox world with ${served} clusters\\.`));
    const fresh = serve(dataDir);
    await fresh.ready;
    try {
      const gone = await kubectl(kubeconfig!, '--context', 'kind-dev', 'get', 'configmap', 'marker');
      expect(gone.exitCode).not.toBe(0);
      expect(String(gone.stderr)).toContain('NotFound');
      expect((await kubectl(kubeconfig!, '--context', 'kind-dev', 'get', 'namespaces', '-o', 'name')).exitCode).toBe(0);
    } finally {
      fresh.child.kill('SIGINT');
      await fresh.child;
    }
  }, 180_000);
});
