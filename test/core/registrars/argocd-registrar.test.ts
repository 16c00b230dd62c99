import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FleetServices } from '../../../core/drift/fleet-services.js';
import type { Engine } from '../../../core/engine.js';
import { K3dProvider } from '../../../core/providers/k3d-provider.js';
import { ArgoCdRegistrar, decodeSecretValue, type SecretObject } from '../../../core/registrars/index.js';
import { FleetError } from '../../../core/errors.js';
import { openTestEngine } from '../../support/engine.js';
import { FileSecrets } from '../lifecycle/support/file-secrets.js';
import { openTestFleet, type TestFleet } from '../lifecycle/support/test-fleet.js';
import { wire } from '../lifecycle/support/wire.js';
import { record } from '../providers/records.js';
import { MemorySecrets } from './memory-secrets.js';

const TOKEN = 'canary-bearer-token-8d1f0c';
const ctx = { server: 'https://10.101.0.2:6443', credentials: { bearerToken: TOKEN, tlsClientConfig: { caData: 'Y2EtZGF0YQ==' } } };

/** The registrar itself, given a context by hand: idempotence, listing, removal, redaction. */
describe('ArgoCdRegistrar with an in-memory Secrets API', () => {
  it('ensure twice gives one secret and no second write; a new server URL updates it', async () => {
    const api = new MemorySecrets();
    const argo = new ArgoCdRegistrar(api);
    await argo.ensure(record('dev', 'kind'), ctx);
    expect((await argo.ensure(record('dev', 'kind'), ctx)).action).toBe('unchanged');
    expect(api.calls.filter((c) => c.startsWith('apply'))).toHaveLength(1);
    expect((await argo.ensure(record('dev', 'kind'), { ...ctx, server: 'https://10.101.0.3:6443' })).action).toBe('updated');
    expect(api.store.size).toBe(1);
  });

  it('lists every cluster secret in one call, without credentials', async () => {
    const api = new MemorySecrets();
    const argo = new ArgoCdRegistrar(api);
    await argo.ensure(record('uat', 'kind'), ctx);
    await argo.ensure(record('dev', 'kind'), ctx);
    // A secret registered by hand (argocd cluster add) is listed too, as not managed.
    await api.apply({
      metadata: { name: 'cluster-10.0.0.9-1234', namespace: 'argocd', labels: { 'argocd.argoproj.io/secret-type': 'cluster' } },
      stringData: { name: 'legacy', server: 'https://10.0.0.9:6443', config: JSON.stringify({ bearerToken: TOKEN }) },
    });
    api.calls = [];
    const list = await argo.list();
    expect(api.calls).toEqual(['list argocd argocd.argoproj.io/secret-type=cluster']);
    expect(list.map((r) => [r.name, r.target, r.managed])).toEqual([
      ['dev', 'https://10.101.0.2:6443', true],
      ['legacy', 'https://10.0.0.9:6443', false],
      ['uat', 'https://10.101.0.2:6443', true],
    ]);
    expect(JSON.stringify(list)).not.toContain(TOKEN);
  });

  it('remove deletes the cluster\'s secrets and is idempotent', async () => {
    const api = new MemorySecrets();
    const argo = new ArgoCdRegistrar(api);
    await argo.ensure(record('dev', 'kind'), ctx);
    expect(await argo.remove('dev')).toEqual({ removed: true });
    expect(await argo.remove('dev')).toEqual({ removed: false });
    expect(await argo.list()).toEqual([]);
  });

  it('an API error never carries the token', async () => {
    const api = new MemorySecrets();
    api.rejectApply = true;
    const error = (await new ArgoCdRegistrar(api).ensure(record('dev', 'kind'), ctx).catch((e: unknown) => e)) as FleetError;
    expect(error).toBeInstanceOf(FleetError);
    expect(error.message).toContain('denied the request');
    expect(`${error.message} ${error.hint} ${JSON.stringify(error.details)}`).not.toContain(TOKEN);
    expect(error.message).not.toContain(Buffer.from(JSON.stringify({ bearerToken: TOKEN })).toString('base64').slice(0, 20));
  });

  it('refuses to register without a server URL', async () => {
    await expect(new ArgoCdRegistrar(new MemorySecrets()).ensure(record('dev', 'kind'))).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});

/** The canaries test/support/fake-bin/fake-common.mjs puts into every kubeconfig the fake k3d and kind print. */
const FAKE_TOKEN = 'fake-canary-token-0123456789';
const FAKE_CA = 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJkekNDQVIyZ0F3SUJBZ0lCQURBS0JnZ3Foa2pPUFFRREFqQWpNU0V3SHdZRFZRUUREQmhyTTNNdGMyVnkK';

describe('ArgoCD cluster Secrets written by the environment lifecycle', () => {
  let fleet: TestFleet;
  let engine: Engine;
  let services: FleetServices;
  let closeEngine: () => Promise<void>;

  beforeEach(async () => {
    fleet = await openTestFleet();
    ({ engine, close: closeEngine } = await openTestEngine('pglite'));
    services = wire(engine, fleet.ports);
  });
  afterEach(async () => {
    await closeEngine();
    await fleet.close();
  });

  async function secretOf(name: string): Promise<{ server: string; config: Record<string, unknown>; secret: SecretObject }> {
    const secret = (await new FileSecrets(fleet.setup.secretsFile).get('argocd', `cluster-${name}`))!;
    return { secret, server: decodeSecretValue(secret, 'server') ?? '', config: JSON.parse(decodeSecretValue(secret, 'config') ?? '{}') as Record<string, unknown> };
  }

  it("carries the bearer token and CA of the cluster's kubeconfig context, and the URL its provider reports", async () => {
    await services.lifecycle.create('dev-k3d', 'k3d');
    await services.lifecycle.create('uat', 'kind');
    const live = new Map([...await fleet.ports.providers.k3d.list(), ...await fleet.ports.providers.kind.list()].map((c) => [c.name, c.serverUrl]));
    for (const name of ['dev-k3d', 'uat']) {
      const { server, config, secret } = await secretOf(name);
      expect(secret.metadata.labels?.['argocd.argoproj.io/secret-type']).toBe('cluster');
      expect(decodeSecretValue(secret, 'name')).toBe(name);
      expect(server).toBe(live.get(name));
      expect(config).toEqual({ bearerToken: FAKE_TOKEN, tlsClientConfig: { insecure: false, caData: FAKE_CA } });
    }
    // The token lives in the Secret only: no operation step, audit entry or other row holds it.
    const tables = await engine.db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
    for (const { table_name: table } of tables.rows) {
      const rows = await engine.db.query(`SELECT * FROM "${table}"`);
      expect(JSON.stringify(rows.rows), `table ${table}`).not.toContain(FAKE_TOKEN);
    }
  });

  it('carries a client certificate and key when the kubeconfig authenticates with them', async () => {
    fleet.setup.toolsEnv['FAKE_KUBECONFIG_AUTH'] = 'client-cert';
    await services.lifecycle.create('prod-k3d', 'k3d');
    const { config } = await secretOf('prod-k3d');
    expect(config['bearerToken']).toBeUndefined();
    const tls = config['tlsClientConfig'] as Record<string, string | boolean>;
    expect(tls).toMatchObject({ insecure: false, caData: FAKE_CA });
    expect(Buffer.from(String(tls['certData']), 'base64').toString()).toContain('fake-canary-client-cert');
    expect(Buffer.from(String(tls['keyData']), 'base64').toString()).toContain('fake-canary-client-key');
  });

  it('registers a k3d cluster at its load balancer on the Docker network when ArgoCD runs there', async () => {
    const ports = { ...fleet.ports, providers: { ...fleet.ports.providers, k3d: new K3dProvider({ env: fleet.setup.toolsEnv, registerInNetwork: true }) } };
    await wire(engine, ports).lifecycle.create('uat-k3d', 'k3d');
    const { server, config } = await secretOf('uat-k3d');
    expect(server).toBe('https://k3d-uat-k3d-serverlb:6443');
    expect(config['bearerToken']).toBe(FAKE_TOKEN);
  });
});
