import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ClusterRecord } from '../../../core/inventory/types.js';
import { SandboxProvider, type SandboxClusterBackend, type SandboxClusterState } from '../../../core/providers/index.js';
import { record } from './records.js';

class MemoryBackend implements SandboxClusterBackend {
  readonly clusters = new Map<string, SandboxClusterState>();
  private nextPort = 7000;
  async start(name: string, rec: ClusterRecord): Promise<{ url: string }> {
    const url = `http://127.0.0.1:${this.nextPort++}`;
    this.clusters.set(name, { name, provider: rec.provider, url, running: true, token: 'sandbox-token', record: rec });
    return { url };
  }
  async resume(name: string): Promise<boolean> {
    const cluster = this.clusters.get(name);
    if (cluster) cluster.running = true;
    return cluster !== undefined;
  }
  async stop(name: string): Promise<void> {
    this.clusters.delete(name);
  }
  async list(): Promise<SandboxClusterState[]> {
    return [...this.clusters.values()];
  }
}

describe('SandboxProvider', () => {
  it('starts sandbox clusters and lists only its own provider\'s', async () => {
    const backend = new MemoryBackend();
    const k3d = new SandboxProvider(backend, 'k3d');
    const kind = new SandboxProvider(backend, 'kind');
    await k3d.create(record('dev-k3d', 'k3d'));
    await kind.create(record('dev', 'kind'));
    expect((await k3d.list()).map((c) => [c.name, c.status, c.serverUrl])).toEqual([['dev-k3d', 'running', 'http://127.0.0.1:7000']]);
    expect((await kind.list()).map((c) => c.name)).toEqual(['dev']);
    expect((await k3d.list())[0]?.ports.map((p) => p.hostPort)).toEqual([18081, 18443, 19001]);
  });

  it('gives a kubeconfig whose context is named like the real provider names it', async () => {
    const backend = new MemoryBackend();
    const kind = new SandboxProvider(backend, 'kind');
    await kind.create(record('uat', 'kind'));
    const config = parse(await kind.kubeconfig('uat')) as { 'current-context': string; clusters: { cluster: { server: string } }[] };
    expect(config['current-context']).toBe('kind-uat');
    expect(config.clusters[0]?.cluster.server).toBe('http://127.0.0.1:7000');
    await expect(kind.kubeconfig('ghost')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('delete stops the cluster and is idempotent; a kind provider never stops a k3d cluster', async () => {
    const backend = new MemoryBackend();
    const k3d = new SandboxProvider(backend, 'k3d');
    const kind = new SandboxProvider(backend, 'kind');
    await k3d.create(record('dev-k3d', 'k3d'));
    await kind.delete('dev-k3d');
    expect(backend.clusters.has('dev-k3d')).toBe(true);
    await k3d.delete('dev-k3d');
    await k3d.delete('dev-k3d');
    expect(await k3d.list()).toEqual([]);
  });

  it('starts a stopped cluster again, leaves a running one be, and says not found for another provider\'s or none', async () => {
    const backend = new MemoryBackend();
    const k3d = new SandboxProvider(backend, 'k3d');
    const kind = new SandboxProvider(backend, 'kind');
    await k3d.create(record('dev-k3d', 'k3d'));
    backend.clusters.get('dev-k3d')!.running = false;
    expect((await k3d.list()).map((c) => c.status)).toEqual(['stopped']);
    await k3d.start('dev-k3d');
    await k3d.start('dev-k3d');
    expect((await k3d.list()).map((c) => [c.status, c.serverUrl])).toEqual([['running', 'http://127.0.0.1:7000']]);
    await expect(kind.start('dev-k3d')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(k3d.start('ghost')).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'sandbox k3d cluster "ghost" does not exist' });
  });

  it('refuses a record of the other provider', async () => {
    await expect(new SandboxProvider(new MemoryBackend(), 'kind').create(record('x', 'k3d'))).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
