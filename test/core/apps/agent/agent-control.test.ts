import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentClient } from '../../../../core/apps/agent/index.js';
import { FleetError } from '../../../../core/errors.js';
import { SandboxGroupRegistry, renderRedisConfig, startSandboxAgent, startSandboxGroup } from '../../../../src/sandbox/agent/index.js';
import { closedPort } from '../closed-port.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function group(instances = ['cache-redis-0', 'cache-redis-1']) {
  const started = await startSandboxGroup('cache-redis', instances, { version: '7.2.4' });
  cleanups.push(() => started.stop());
  const clients = started.agents.map((agent) => {
    const client = new AgentClient(agent.address, { timeoutMs: 10_000 });
    cleanups.push(() => client.close());
    return client;
  });
  return { ...started, clients };
}

async function caught(promise: Promise<unknown>): Promise<FleetError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof FleetError) return error;
    throw new Error(`expected a FleetError, got ${String(error)}`);
  }
  throw new Error('expected the call to fail');
}

function at<T>(list: readonly T[], index: number): T {
  const item = list[index];
  if (item === undefined) throw new Error(`no item ${index}`);
  return item;
}

describe('middleware agents over gRPC', () => {
  it('reports each member\'s role, status and health', async () => {
    const { clients, agents } = await group();
    const [master, replica] = [at(clients, 0), at(clients, 1)];
    expect(await master.getRole()).toEqual({ role: 'master', instance: 'cache-redis-0', master: 'cache-redis-0' });
    expect(await replica.getRole()).toEqual({ role: 'replica', instance: 'cache-redis-1', master: 'cache-redis-0' });

    const status = await replica.getStatus();
    expect(status).toMatchObject({ instance: 'cache-redis-1', group: 'cache-redis', role: 'replica', version: '7.2.4',
      healthy: true, master: 'cache-redis-0', restartPending: false });
    expect(status.configHash).toBe(at(agents, 1).state.configHash);
    expect(await replica.healthCheck()).toEqual({ status: 'SERVING', message: 'cache-redis-1 is serving as replica' });

    at(agents, 1).state.healthy = false;
    expect((await replica.healthCheck()).status).toBe('NOT_SERVING');
  });

  it('fails over: the replica becomes master and the master a replica, seen by both agents', async () => {
    const { clients } = await group();
    const [first, second] = [at(clients, 0), at(clients, 1)];
    const result = await second.failover();
    expect(result).toMatchObject({ newMaster: 'cache-redis-1', oldMaster: 'cache-redis-0' });
    expect((await first.getRole()).role).toBe('replica');
    expect((await second.getRole()).role).toBe('master');
    expect((await first.getStatus()).master).toBe('cache-redis-1');

    // Asked on the master, it hands over to a healthy replica.
    const back = await second.failover();
    expect(back.newMaster).toBe('cache-redis-0');
    expect((await first.getRole()).role).toBe('master');
  });

  it('refuses to promote an unhealthy replica unless forced', async () => {
    const { clients, agents } = await group(['cache-redis-0', 'cache-redis-1', 'cache-redis-2']);
    at(agents, 1).state.healthy = false;
    const master = at(clients, 0);
    const refused = await caught(master.failover({ target: 'cache-redis-1' }));
    expect(refused.code).toBe('CONFLICT');
    expect(refused.message).toContain('cache-redis-1 is not healthy');
    expect((await master.getRole()).role).toBe('master');

    // Without a target the master picks the healthy replica.
    expect((await master.failover()).newMaster).toBe('cache-redis-2');
    expect((await at(clients, 2).failover({ target: 'cache-redis-1', force: true })).newMaster).toBe('cache-redis-1');
    const roles = await Promise.all(clients.map(async (c) => (await c.getRole()).role));
    expect(roles).toEqual(['replica', 'master', 'replica']);
  });

  it('reloads a dynamic change live and asks for a restart when a static key changed', async () => {
    const { clients, agents } = await group();
    const agent = at(clients, 0);
    const dir = await mkdtemp(join(tmpdir(), 'fleetdeck-agent-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const configPath = join(dir, 'redis.conf');
    const config = { ...at(agents, 0).state.config };

    await writeFile(configPath, renderRedisConfig({ ...config, maxmemory: '512mb' }));
    const live = await agent.reloadConfig({ configPath });
    expect(live).toMatchObject({ requiresRestart: false, changedKeys: ['maxmemory'], restartKeys: [] });
    expect((await agent.getStatus()).configHash).toBe(live.configHash);

    await writeFile(configPath, `# edited by hand\n${renderRedisConfig({ ...config, maxmemory: '512mb', port: '6380' })}`);
    const restart = await agent.reloadConfig({ configPath });
    expect(restart).toMatchObject({ requiresRestart: true, changedKeys: ['port'], restartKeys: ['port'] });
    expect((await agent.getStatus()).restartPending).toBe(true);

    const unchanged = await agent.reloadConfig({ configPath });
    expect(unchanged.changedKeys).toEqual([]);

    const missing = await caught(agent.reloadConfig({ configPath: join(dir, 'absent.conf') }));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain('absent.conf');
  });

  it('talks to Agent 1 (status) and Agent 2 (control) on their own ports, as in a real pod', async () => {
    const agent = await startSandboxAgent({ registry: new SandboxGroupRegistry('cache-redis'), instance: 'cache-redis-0', role: 'master', separatePorts: true });
    cleanups.push(() => agent.stop());
    expect(agent.endpoints.statusAddress).not.toBe(agent.endpoints.controlAddress);
    const client = new AgentClient(agent.endpoints, { timeoutMs: 10_000 });
    cleanups.push(() => client.close());
    expect((await client.getStatus()).role).toBe('master');
    expect((await client.getRole()).role).toBe('master');

    // Status calls sent to the control port are a configuration mistake the error points out.
    const crossed = new AgentClient({ statusAddress: agent.endpoints.controlAddress, controlAddress: agent.endpoints.statusAddress }, { timeoutMs: 10_000 });
    cleanups.push(() => crossed.close());
    const error = await caught(crossed.healthCheck());
    expect(error.message).toContain(`${agent.endpoints.controlAddress} does not implement HealthCheck`);
    expect(error.hint).toContain(':50051');
  });

  it('gives a quick UNAVAILABLE error naming the address when no agent listens', async () => {
    const address = `127.0.0.1:${await closedPort()}`;
    const client = new AgentClient(address, { timeoutMs: 20_000 });
    cleanups.push(() => client.close());
    const started = Date.now();
    const error = await caught(client.getRole());
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toContain(address);
    expect(error.hint).toContain(address);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('gives a TIMEOUT error when the peer accepts but never answers', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => { sockets.push(socket); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      silent.close(() => resolve());
    }));
    const address = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const client = new AgentClient(address, { timeoutMs: 500 });
    cleanups.push(() => client.close());
    const error = await caught(client.healthCheck());
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain(`${address} did not answer HealthCheck within 500 ms`);
  });
});
