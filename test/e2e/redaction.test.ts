import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { kubeconfigFor, startSandboxCluster } from '../../src/sandbox/kube-api/index.js';
import { fleetdeck } from '../support/cli.js';
import { freshPostgresUrl } from '../support/databases.js';
import { fakeTools } from '../support/fake-bin/fake-tools.js';
import { startPortainerServer } from '../support/portainer-server.js';
import { startHookServer } from '../core/dr/executor/support.js';

async function tablesHolding(url: string, text: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
    const holding: string[] = [];
    for (const { table_name: table } of tables.rows) {
      if (JSON.stringify((await client.query(`SELECT * FROM "${table}"`)).rows).includes(text)) holding.push(table);
    }
    return holding;
  } finally {
    await client.end();
  }
}

/** Secrets never reach the screen, --json output, the audit log or the database in the clear. */
describe('secrets stay secret', () => {
  it('a canary token given to fleetdeck appears in no output, no audit entry and no database column', async () => {
    const { url, drop } = await freshPostgresUrl();
    const canary = `CANARY-${Math.random().toString(36).slice(2)}-TOKEN`;
    const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-canary-'));
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, canary);
    const env = { FLEETDECK_SECRET_KEY: 'ab'.repeat(32) };
    const run = (...args: string[]) => fleetdeck(['--database-url', url, ...args], { env });
    try {
      const outputs = [
        await run('dataplane', 'add', 'edge-1', '--server', 'https://127.0.0.1:1', '--token-file', tokenFile, '--storage-mode', 'external', '--json'),
        await run('dataplane', 'add', 'edge-1', '--server', 'https://127.0.0.1:1', '--token-file', tokenFile),
        await run('installs', 'ls', '--json'),
        await run('installs', 'show', 'edge-1', '--json'),
        await run('installs', 'show', 'edge-1'),
        await run('deploy', 'edge-1', '--json'),
        await run('audit', '--json'),
      ];
      expect(outputs[0]!.exitCode, outputs[0]!.stderr).toBe(0);
      for (const output of outputs) {
        expect(output.stdout).not.toContain(canary);
        expect(output.stderr).not.toContain(canary);
      }
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const stored = await client.query<{ enc: string | null }>("SELECT kube_credentials_enc AS enc FROM dataplane_clusters WHERE name = 'edge-1'");
        expect(stored.rows[0]?.enc, 'the token is kept, encrypted').toMatch(/\S{20,}/);
        const tables = await client.query<{ table_name: string }>(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
        for (const { table_name: table } of tables.rows) {
          const rows = await client.query(`SELECT * FROM "${table}"`);
          expect(JSON.stringify(rows.rows), `table ${table}`).not.toContain(canary);
        }
      } finally {
        await client.end();
      }
    } finally {
      await drop();
    }
  }, 120_000);

  it("the credentials of a cluster's kubeconfig reach ArgoCD's Secret and no output, audit entry or database column", async () => {
    const { url, drop } = await freshPostgresUrl();
    const token = 'fake-canary-token-0123456789'; // what the fake k3d and kind put into every kubeconfig
    const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-argocd-canary-'));
    const tools = fakeTools();
    const devops = await startSandboxCluster({ name: 'devops' });
    const portainer = await startPortainerServer({ apiKey: 'ptr_redaction_key_0000' });
    try {
      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, kubeconfigFor([{ context: 'k3d-devops', url: devops.url }]));
      const gitUrl = join(dir, 'fleet.git');
      await execa('git', ['init', '--bare', '--quiet', '--initial-branch=main', gitUrl]);
      const configFile = join(dir, 'config.json');
      writeFileSync(configFile, JSON.stringify({ git: { url: gitUrl }, portainer: { url: portainer.url }, haproxy: { config: join(dir, 'haproxy.cfg') } }));
      const env = { ...tools.env, KUBECONFIG: kubeconfig, FLEETDECK_CONFIG: configFile, FLEETDECK_PORTAINER_API_KEY: 'ptr_redaction_key_0000', HOME: dir };
      const run = (...args: string[]) => fleetdeck(['--database-url', url, ...args], { env });
      const created = [await run('env', 'create', 'dev-k3d', '--provider', 'k3d', '--json'), await run('env', 'create', 'uat', '--provider', 'kind')];
      expect(created[0]!.exitCode, created[0]!.stderr).toBe(0);
      expect(created[1]!.exitCode, created[1]!.stderr).toBe(0);
      const operation = (JSON.parse(created[0]!.stdout) as { id: string }).id;
      const outputs = [
        ...created,
        await run('clusters', 'ls', '--json'),
        await run('clusters', 'show', 'dev-k3d', '--json'),
        await run('clusters', 'show', 'uat'),
        await run('drift', '--json'),
        await run('drift'),
        await run('ops', 'ls', '--json'),
        await run('ops', 'show', operation, '--json'),
        await run('ops', 'show', operation),
        await run('audit', '--json'),
      ];
      for (const output of outputs) {
        expect(output.stdout).not.toContain(token);
        expect(output.stderr).not.toContain(token);
      }
      // The token did travel: ArgoCD's cluster Secret in devops holds it, as ArgoCD needs it.
      for (const name of ['dev-k3d', 'uat']) {
        const secret = devops.objects.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'argocd', name: `cluster-${name}` });
        const config = JSON.parse(Buffer.from(String((secret?.['data'] as Record<string, string>)['config']), 'base64').toString()) as { bearerToken?: string };
        expect(config.bearerToken).toBe(token);
      }
      expect(await tablesHolding(url, token)).toEqual([]);
    } finally {
      await portainer.close();
      await devops.stop();
      tools.cleanup();
      await drop();
    }
  }, 180_000);

  it('DR: secret headers, the parameters they read and what a webhook echoes appear in no output, audit entry or database column', async () => {
    const { url, drop } = await freshPostgresUrl();
    const hooks = await startHookServer();
    hooks.echo.add('/echo');
    const headerCanary = `DR-HEADER-CANARY-${Math.random().toString(36).slice(2)}`;
    const planCanary = `DR-PLAN-CANARY-${Math.random().toString(36).slice(2)}`;
    const paramCanary = `DR-PARAM-CANARY-${Math.random().toString(36).slice(2)}`;
    const canaries = [headerCanary, planCanary, paramCanary];
    const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-dr-canary-'));
    const file = join(dir, 'plan.yaml');
    writeFileSync(file, `apiVersion: dr.bkbcs.tencent.com/v1alpha1
kind: DRWorkflow
metadata: {name: guarded}
spec:
  parameters:
    - {name: token}
  actions:
    - name: call
      type: HTTP
      http:
        url: "${hooks.url}/echo?sig={{ .params.token }}"
        method: POST
        headers: {Authorization: "Bearer {{ .params.token }}", X-Signature: "${headerCanary}"}
        secretHeaders: [X-Signature]
        body: '{"token": "{{ .params.token }}"}'
---
apiVersion: dr.bkbcs.tencent.com/v1alpha1
kind: DRPlan
metadata: {name: guarded}
spec:
  globalParams:
    - {name: token, value: "${planCanary}"}
  stages:
    - name: main
      workflows:
        - workflowRef: {name: guarded}
`);
    const env = { FLEETDECK_SECRET_KEY: 'cd'.repeat(32) };
    const run = (...args: string[]) => fleetdeck(['--database-url', url, ...args], { env });
    try {
      const applied = await run('dr', 'apply', '-f', file);
      expect(applied.exitCode, applied.stderr).toBe(0);
      const outputs = [applied, await run('dr', 'plan', 'guarded'), await run('dr', 'plan', 'guarded', '--json'), await run('dr', 'plan', 'guarded', '--param', `token=${paramCanary}`)];
      const executed = await run('dr', 'execute', 'guarded', '--param', `token=${paramCanary}`, '--json');
      expect(executed.exitCode, executed.stderr).toBe(0);
      const id = (JSON.parse(executed.stdout) as { id: string }).id;
      outputs.push(executed, await run('dr', 'status', id), await run('dr', 'status', id, '--json'), await run('dr', 'ls'), await run('dr', 'ls', '--json'),
        await run('dr', 'export-argo', 'guarded'), await run('dr', 'revert', id), await run('audit', '--json'));
      // The webhook got the real values; it echoed them back, and fleetdeck recorded the answer scrubbed.
      const sent = hooks.bodies.find((b) => b.path.startsWith('/echo'))!;
      expect([sent.headers.authorization, sent.headers['x-signature'], sent.path]).toEqual([`Bearer ${paramCanary}`, headerCanary, `/echo?sig=${paramCanary}`]);
      expect(JSON.parse(outputs[6]!.stdout).actions[0].outputs.httpResponse.body).toContain('******');
      for (const output of outputs) {
        for (const canary of canaries) {
          expect(output.stdout).not.toContain(canary);
          expect(output.stderr).not.toContain(canary);
        }
      }
      for (const canary of canaries) expect(await tablesHolding(url, canary), canary).toEqual([]);
    } finally {
      await hooks.close();
      await drop();
    }
  }, 180_000);
});
