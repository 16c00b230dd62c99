import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../../../core/dataplane/secret-box.js';
import { DrService } from '../../../../core/dr/dr-service.js';
import type { HTTPAction } from '../../../../core/dr/schema/types.js';
import { FleetError } from '../../../../core/errors.js';
import { openTestDatabase, type TestDatabase } from '../../../support/databases.js';
import { httpAction, planYaml, startHookServer, TEST_SECRET_KEY, type HookServer } from '../executor/support.js';
import { makeTestPki, type TestPki } from './tls.js';

const noKube = async (): Promise<never> => { throw new FleetError('UNAVAILABLE', 'no cluster in this test', 'none'); };

describe('the HTTP action against a loopback server', () => {
  let test: TestDatabase;
  let hooks: HookServer;
  let dr: DrService;
  let pki: TestPki;
  let tlsServer: https.Server;
  let tlsUrl: string;
  /** Accepts TCP connections and never answers: a TLS handshake with it never completes. */
  let silent: net.Server;
  let silentUrl: string;
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    test = await openTestDatabase('pglite');
    hooks = await startHookServer();
    dr = new DrService({ db: test.db, actor: { user: 'ana', host: 'jumpbox' }, readonly: false, kube: noKube, secrets: SecretBox.fromKey(TEST_SECRET_KEY), planClusters: [] });
    pki = await makeTestPki();
    tlsServer = https.createServer({ cert: pki.serverCert, key: pki.serverKey, ca: pki.ca, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      const socket = req.socket as import('node:tls').TLSSocket;
      const peer = socket.getPeerCertificate();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ client: socket.authorized ? peer.subject?.CN : null }));
    });
    await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', () => r()));
    tlsUrl = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
    silent = net.createServer((socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    silentUrl = `https://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    silent?.close();
    tlsServer?.closeAllConnections();
    tlsServer?.close();
    await hooks?.close();
    await test?.close();
  });

  /** Runs a one-action plan and returns the action's status. */
  async function runOne(name: string, http: HTTPAction, extra: Record<string, unknown> = {}) {
    await dr.apply(planYaml(name, [{ name, type: 'HTTP', http, ...extra }]), `${name}.yaml`);
    const exec = await dr.startExecute(name);
    const outcome = await dr.run(exec.id);
    const [action] = (await dr.status(exec.id)).actions;
    return { phase: outcome.execution.phase, action: action! };
  }

  it('retries with backoff while the server fails, succeeds once it recovers, and keeps secret headers out of errors', async () => {
    hooks.status.set('/flaky', 500);
    setTimeout(() => hooks.status.set('/flaky', 200), 400);
    await dr.apply(planYaml('flaky', [httpAction('flaky', hooks.url, {
      retryPolicy: { limit: 5, interval: '150ms', backoffMultiplier: '2.0' },
      http: { url: `${hooks.url}/flaky`, method: 'POST', headers: { Authorization: 'Bearer canary-secret-123' } },
    })]), 'flaky.yaml');
    const exec = await dr.startExecute('flaky');
    expect((await dr.run(exec.id)).execution.phase).toBe('Succeeded');
    const [action] = (await dr.status(exec.id)).actions;
    expect(action!.attempts).toBeGreaterThan(1);
    expect(action!.outputs.httpResponse?.statusCode).toBe(200);
    expect(hooks.bodies.filter((b) => b.path === '/flaky').every((b) => b.headers.authorization === 'Bearer canary-secret-123')).toBe(true);
    expect(JSON.stringify(await dr.dryRun('flaky'))).not.toContain('canary-secret-123');
  });

  it('fails a slow server on its read timeout, naming the timeout', async () => {
    hooks.delay.set('/slow', 3000);
    const { phase, action } = await runOne('slow', { url: `${hooks.url}/slow`, method: 'GET', readTimeout: '300ms' });
    expect(phase).toBe('Failed');
    expect(action.error).toContain('no response within 300 ms (read timeout)');
  });

  it('fails on its connect timeout when the connection (TCP and TLS handshake) is not made in time', async () => {
    const started = Date.now();
    const { phase, action } = await runOne('unreachable', { url: `${silentUrl}/x`, method: 'GET', connectTimeout: '400ms', readTimeout: '30s' });
    expect(phase).toBe('Failed');
    expect(action.error).toContain('no connection within 400 ms (connect timeout)');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('verifies TLS against the system roots by default, and against caData or caFile when given', async () => {
    const untrusted = await runOne('tls-default', { url: `${tlsUrl}/`, method: 'GET' });
    expect(untrusted.phase).toBe('Failed');
    expect(untrusted.action.error).toMatch(/self[- ]signed|unable to (get|verify)/i);
    const withData = await runOne('tls-ca-data', { url: `${tlsUrl}/`, method: 'GET', caData: pki.ca });
    expect([withData.phase, withData.action.outputs.httpResponse]).toEqual(['Succeeded', { statusCode: 200, body: '{"client":null}' }]);
    const base64 = await runOne('tls-ca-b64', { url: `${tlsUrl}/`, method: 'GET', caData: Buffer.from(pki.ca).toString('base64') });
    expect(base64.phase).toBe('Succeeded');
    const withFile = await runOne('tls-ca-file', { url: `${tlsUrl}/`, method: 'GET', caFile: pki.caFile });
    expect(withFile.phase).toBe('Succeeded');
    const skipped = await runOne('tls-skip', { url: `${tlsUrl}/`, method: 'GET', insecureSkipVerify: true });
    expect(skipped.phase).toBe('Succeeded');
  });

  it('presents a client certificate (data or files), and never shows or stores keyData in the clear', async () => {
    const data = await runOne('mtls-data', { url: `${tlsUrl}/`, method: 'GET', caData: pki.ca, certData: pki.clientCert, keyData: pki.clientKey });
    expect(data.action.outputs.httpResponse?.body).toBe('{"client":"dr-executor"}');
    const files = await runOne('mtls-files', { url: `${tlsUrl}/`, method: 'GET', caFile: pki.caFile, certFile: pki.clientCertFile, keyFile: pki.clientKeyFile });
    expect(files.action.outputs.httpResponse?.body).toBe('{"client":"dr-executor"}');
    const keyLine = pki.clientKey.split('\n')[1]!;
    expect(JSON.stringify(await dr.dryRun('mtls-data'))).not.toContain(keyLine);
    const stored = await test.db.query<{ body: unknown }>("SELECT body FROM dr_resources WHERE name = 'mtls-data'");
    expect(JSON.stringify(stored.rows)).not.toContain(keyLine);
    const snapshots = await test.db.query<{ snapshot: unknown }>("SELECT snapshot FROM dr_executions WHERE plan_name = 'mtls-data'");
    expect(JSON.stringify(snapshots.rows)).not.toContain(keyLine);
    const missing = await runOne('mtls-missing-file', { url: `${tlsUrl}/`, method: 'GET', caFile: `${pki.dir}/nope.crt` });
    expect(missing.action.error).toBe(`http.caFile "${pki.dir}/nope.crt" cannot be read: ENOENT`);
  });

  it('refuses a certificate without its key and misspelt TLS fields, naming them', async () => {
    await expect(dr.validate(planYaml('half-cert', [{ name: 'x', type: 'HTTP', http: { url: tlsUrl, certData: pki.clientCert } }]), 'half.yaml'))
      .rejects.toThrow('spec.actions[0].http.keyData: a client certificate needs both a certificate (certData or certFile) and its key (keyData or keyFile)');
    await expect(dr.validate(planYaml('typo', [{ name: 'x', type: 'HTTP', http: { url: tlsUrl, caDate: pki.ca } as unknown as HTTPAction }]), 'typo.yaml'))
      .rejects.toThrow('spec.actions[0].http.caDate: unknown field (did you mean "caData"?)');
  });
});
