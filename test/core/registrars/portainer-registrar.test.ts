import { afterEach, describe, expect, it } from 'vitest';
import { PortainerRegistrar } from '../../../core/registrars/index.js';
import { FleetError } from '../../../core/errors.js';
import { startPortainerServer, type PortainerServer } from '../../support/portainer-server.js';
import { closedPort } from '../gitops/git-fixtures.js';
import { record } from '../providers/records.js';

const API_KEY = 'ptr_canaryKey1234567890abcdef';
const servers: PortainerServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function portainer(opts: Parameters<typeof startPortainerServer>[0] = { apiKey: API_KEY }) {
  const server = await startPortainerServer(opts);
  servers.push(server);
  return server;
}

describe('PortainerRegistrar against a loopback Portainer', () => {
  it('creates an Edge environment once, however often ensure runs', async () => {
    const server = await portainer();
    const registrar = new PortainerRegistrar({ url: server.url, apiKey: API_KEY });
    const first = await registrar.ensure(record('dev', 'kind'));
    const second = await registrar.ensure(record('dev', 'kind'));
    expect(first.action).toBe('created');
    expect(second.action).toBe('unchanged');
    const edge = [...server.endpoints.values()].filter((e) => e.Name === 'dev');
    expect(edge).toHaveLength(1);
    expect(edge[0]?.Type).toBe(4);
    expect(server.requests.filter((r) => r === 'POST /api/endpoints')).toHaveLength(1);
  });

  it('lists Edge environments only, in one call, without Edge keys', async () => {
    const server = await portainer();
    const registrar = new PortainerRegistrar({ url: server.url, apiKey: API_KEY });
    await registrar.ensure(record('uat', 'kind'));
    await registrar.ensure(record('dev-k3d', 'k3d'));
    server.requests.length = 0;
    const list = await registrar.list();
    expect(server.requests).toEqual(['GET /api/endpoints']);
    expect(list.map((r) => r.name)).toEqual(['dev-k3d', 'uat']);
    const edgeKey = [...server.endpoints.values()].find((e) => e.Name === 'uat')?.EdgeKey ?? 'missing';
    expect(JSON.stringify(list)).not.toContain(edgeKey);
  });

  it('removes idempotently, and ensure takes a cluster out when registerPortainer is off', async () => {
    const server = await portainer();
    const registrar = new PortainerRegistrar({ url: server.url, apiKey: API_KEY });
    await registrar.ensure(record('dev', 'kind'));
    await registrar.ensure(record('uat', 'kind'));
    expect(await registrar.remove('dev')).toEqual({ removed: true });
    expect(await registrar.remove('dev')).toEqual({ removed: false });
    expect((await registrar.ensure(record('uat', 'kind', { registerPortainer: false }))).action).toBe('removed');
    expect((await registrar.ensure(record('uat', 'kind', { registerPortainer: false }))).action).toBe('skipped');
    expect(await registrar.list()).toEqual([]);
    expect(server.endpoints.get(1)?.Name).toBe('local');
  });

  it('logs in with username and password when there is no access token', async () => {
    const server = await portainer({ username: 'admin', password: 'canary-password-77' });
    const registrar = new PortainerRegistrar({ url: server.url, username: 'admin', password: 'canary-password-77' });
    expect((await registrar.ensure(record('prod', 'kind'))).action).toBe('created');
    expect(server.requests[0]).toBe('POST /api/auth');
    const wrong = new PortainerRegistrar({ url: server.url, username: 'admin', password: 'wrong-password-99' });
    const error = (await wrong.list().catch((e: unknown) => e)) as FleetError;
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).not.toContain('wrong-password-99');
  });

  it('a wrong access token is an auth error that does not show the token', async () => {
    const server = await portainer();
    const error = (await new PortainerRegistrar({ url: server.url, apiKey: 'ptr_wrongKeyCanary000111' }).list().catch((e: unknown) => e)) as FleetError;
    expect(error).toBeInstanceOf(FleetError);
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toContain(server.url);
    expect(`${error.message} ${error.hint}`).not.toContain('ptr_wrongKeyCanary000111');
  });

  it('a failing or unreachable Portainer gives a clear error', async () => {
    const server = await portainer();
    server.failNext(503);
    const registrar = new PortainerRegistrar({ url: server.url, apiKey: API_KEY });
    await expect(registrar.ensure(record('dev', 'kind'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const gone = new PortainerRegistrar({ url: `http://127.0.0.1:${await closedPort()}`, apiKey: API_KEY });
    const error = (await gone.list().catch((e: unknown) => e)) as FleetError;
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toContain('unreachable');
  });
});
