import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { HaproxyRegistrar } from '../../../core/registrars/index.js';
import { FleetError } from '../../../core/errors.js';
import { record } from '../providers/records.js';

const OPERATOR_PART = [
  'global',
  '    log stdout format raw local0',
  '',
  'defaults',
  '    mode http',
  '    timeout connect 5s',
  '    timeout client 30s',
  '    timeout server 30s',
  '',
  '# written by the operator',
  'frontend stats',
  '    bind 127.0.0.1:8404',
  '    stats enable',
  '    stats uri /stats',
  '',
].join('\n');

describe('HaproxyRegistrar with the real haproxy -c', () => {
  let dir: string;
  let configPath: string;
  let reloadLog: string;
  let haproxy: HaproxyRegistrar;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fleetdeck-haproxy-'));
    configPath = join(dir, 'haproxy.cfg');
    reloadLog = join(dir, 'reloads.log');
    writeFileSync(configPath, OPERATOR_PART);
    haproxy = new HaproxyRegistrar({
      configPath,
      domain: 'local',
      reloadCommand: ['node', '-e', 'require("fs").appendFileSync(process.argv[1], "reload\\n")', reloadLog],
    });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const reloads = (): number => (existsSync(reloadLog) ? readFileSync(reloadLog, 'utf8').split('\n').filter(Boolean).length : 0);

  it('routes NAME.local to the cluster http port, keeps the operator\'s part, and haproxy accepts it', async () => {
    expect((await haproxy.ensure(record('dev', 'kind', { httpPort: 18081 }))).action).toBe('created');
    expect((await haproxy.ensure(record('uat', 'kind', { httpPort: 18082 }))).action).toBe('created');
    const text = readFileSync(configPath, 'utf8');
    expect(text.startsWith(OPERATOR_PART)).toBe(true);
    expect(text).toContain('frontend http-in');
    expect(text).toContain('acl host_dev hdr(host) -i dev.local');
    expect(text).toContain('use_backend be_uat if host_uat');
    expect(text).toContain('backend be_dev');
    expect(text).toContain('server dev 127.0.0.1:18081');
    const check = await execa('haproxy', ['-c', '-f', configPath], { reject: false });
    expect(check.exitCode).toBe(0);
    expect(reloads()).toBe(2);
  });

  it('ensure twice writes once; a new port updates; list parses the managed section', async () => {
    await haproxy.ensure(record('dev', 'kind', { httpPort: 18081 }));
    const before = readFileSync(configPath, 'utf8');
    expect((await haproxy.ensure(record('dev', 'kind', { httpPort: 18081 }))).action).toBe('unchanged');
    expect(readFileSync(configPath, 'utf8')).toBe(before);
    expect(reloads()).toBe(1);
    expect((await haproxy.ensure(record('dev', 'kind', { httpPort: 18091 }))).action).toBe('updated');
    await haproxy.ensure(record('prod-k3d', 'k3d', { httpPort: 18093 }));
    expect((await haproxy.list()).map((r) => [r.name, r.target, r.details.host])).toEqual([
      ['dev', '127.0.0.1:18091', 'dev.local'],
      ['prod-k3d', '127.0.0.1:18093', 'prod-k3d.local'],
    ]);
  });

  it('removes a route idempotently, and ensure drops it when haproxyRoute is off', async () => {
    await haproxy.ensure(record('dev', 'kind'));
    await haproxy.ensure(record('uat', 'kind', { httpPort: 18082 }));
    expect(await haproxy.remove('dev')).toEqual({ removed: true });
    expect(await haproxy.remove('dev')).toEqual({ removed: false });
    expect((await haproxy.ensure(record('uat', 'kind', { haproxyRoute: false }))).action).toBe('removed');
    expect((await haproxy.ensure(record('uat', 'kind', { haproxyRoute: false }))).action).toBe('skipped');
    expect(await haproxy.list()).toEqual([]);
    expect((await execa('haproxy', ['-c', '-f', configPath], { reject: false })).exitCode).toBe(0);
    expect(readFileSync(configPath, 'utf8').startsWith(OPERATOR_PART)).toBe(true);
  });

  it('refuses a config haproxy rejects and keeps the old file', async () => {
    await haproxy.ensure(record('dev', 'kind'));
    // The operator breaks their part of the file.
    const broken = readFileSync(configPath, 'utf8').replace('    stats enable', '    stats enable\n    no_such_keyword at all');
    writeFileSync(configPath, broken);
    const error = (await haproxy.ensure(record('uat', 'kind', { httpPort: 18082 })).catch((e: unknown) => e)) as FleetError;
    expect(error).toBeInstanceOf(FleetError);
    expect(error.message).toContain('haproxy rejected');
    expect(error.message).toContain('no_such_keyword');
    expect(error.hint).toContain('left as it was');
    expect(readFileSync(configPath, 'utf8')).toBe(broken);
    expect(reloads()).toBe(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('creates a valid file from nothing', async () => {
    rmSync(configPath);
    await haproxy.ensure(record('dev', 'kind'));
    expect((await execa('haproxy', ['-c', '-f', configPath], { reject: false })).exitCode).toBe(0);
    expect((await haproxy.list()).map((r) => r.name)).toEqual(['dev']);
  });

  it('a failing reload command is reported after the config was written', async () => {
    const failing = new HaproxyRegistrar({ configPath, reloadCommand: ['node', '-e', 'process.stderr.write("reload refused"); process.exit(3)'] });
    const error = (await failing.ensure(record('dev', 'kind')).catch((e: unknown) => e)) as FleetError;
    expect(error.message).toContain('reload command failed');
    expect(error.message).toContain('reload refused');
    expect((await failing.list()).map((r) => r.name)).toEqual(['dev']);
  });

  it('reloads a written config whose reload never finished, once, even though the routes are already as wanted', async () => {
    const failing = new HaproxyRegistrar({ configPath, reloadCommand: ['false'] });
    await expect(failing.ensure(record('dev', 'kind'))).rejects.toThrow('reload command failed');
    expect(readFileSync(configPath, 'utf8')).toContain('# generation 1');
    expect((await haproxy.ensure(record('dev', 'kind'))).action).toBe('unchanged');
    expect(reloads()).toBe(1);
    expect((await haproxy.ensure(record('dev', 'kind'))).action).toBe('unchanged');
    expect(reloads()).toBe(1);
    await expect(failing.remove('dev')).rejects.toThrow('reload command failed');
    expect(readFileSync(configPath, 'utf8')).toContain('# generation 2');
    expect(await haproxy.remove('dev')).toEqual({ removed: false });
    expect(reloads()).toBe(2);
    expect(await haproxy.remove('dev')).toEqual({ removed: false });
    expect((await haproxy.ensure(record('dev', 'kind', { haproxyRoute: false }))).action).toBe('skipped');
    expect(reloads()).toBe(2);
    expect((await execa('haproxy', ['-c', '-f', configPath], { reject: false })).exitCode).toBe(0);
  });
});
