import { describe, expect, it } from 'vitest';
import { ArgoCdRegistrar, decodeSecretValue } from '../../../core/registrars/index.js';
import { FleetError } from '../../../core/errors.js';
import { record } from '../providers/records.js';
import { MemorySecrets } from './memory-secrets.js';

const TOKEN = 'canary-bearer-token-8d1f0c';
const ctx = { server: 'https://10.101.0.2:6443', credentials: { bearerToken: TOKEN, tlsClientConfig: { caData: 'Y2EtZGF0YQ==' } } };

describe('ArgoCdRegistrar with an in-memory Secrets API', () => {
  it('writes the declarative cluster secret ArgoCD reads', async () => {
    const api = new MemorySecrets();
    const result = await new ArgoCdRegistrar(api).ensure(record('dev', 'kind'), ctx);
    expect(result.action).toBe('created');
    const secret = api.store.get('argocd/cluster-dev')!;
    expect(secret.metadata.labels?.['argocd.argoproj.io/secret-type']).toBe('cluster');
    expect(decodeSecretValue(secret, 'name')).toBe('dev');
    expect(decodeSecretValue(secret, 'server')).toBe('https://10.101.0.2:6443');
    expect(JSON.parse(decodeSecretValue(secret, 'config') ?? '{}')).toEqual({
      bearerToken: TOKEN,
      tlsClientConfig: { insecure: false, caData: 'Y2EtZGF0YQ==' },
    });
  });

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
