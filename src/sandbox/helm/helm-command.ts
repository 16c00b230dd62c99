/**
 * The sandbox `helm`: the Helm 3 subcommands fleetdeck (and an operator poking at the sandbox) uses — version,
 * status, upgrade --install / install, rollback, list, history, uninstall, show chart — against a sandbox cluster reached through the
 * kubeconfig it is given (--kubeconfig / KUBECONFIG, --kube-context). Releases are stored as Helm stores them.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { errorMessage } from '../../../core/errors.js';
import { createKubeGateway } from '../../../core/kube/gateways.js';
import type { KubeGateway } from '../../../core/kube/types.js';
import { chartName, renderChart } from './charts.js';
import type { HelmReleaseRecord } from './release-secrets.js';
import { createRelease, deleteReleaseHistory, latestByName, releaseHistory, updateRelease } from './release-secrets.js';
import { applyObjects, deleteReleaseObjects, parseDuration, waitReady } from './workloads.js';

export interface HelmIo {
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
}

const VALUE_FLAGS = new Set(['-n', '--namespace', '-f', '--values', '--set', '--timeout', '-o', '--output', '--kubeconfig', '--kube-context', '--version', '--description', '--max']);

interface Parsed {
  positionals: string[];
  values: Map<string, string[]>;
  flags: Set<string>;
}

function parse(argv: readonly string[]): Parsed {
  const parsed: Parsed = { positionals: [], values: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const eq = arg.startsWith('-') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (VALUE_FLAGS.has(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value !== undefined) parsed.values.set(name, [...(parsed.values.get(name) ?? []), value]);
    } else if (arg.startsWith('-')) {
      parsed.flags.add(name);
    } else {
      parsed.positionals.push(arg);
    }
  }
  return parsed;
}

function one(p: Parsed, ...names: string[]): string | undefined {
  for (const name of names) {
    const found = p.values.get(name);
    if (found && found.length > 0) return found[found.length - 1];
  }
  return undefined;
}

class HelmError extends Error {}

const PENDING = new Set(['pending-install', 'pending-upgrade', 'pending-rollback']);

function gatewayFor(p: Parsed): KubeGateway {
  const path = one(p, '--kubeconfig');
  const context = one(p, '--kube-context');
  return createKubeGateway({ kind: 'kubeconfig-file', ...(path ? { path } : {}), ...(context ? { context } : {}) }, { timeoutMs: 10_000 });
}

function deepMerge(into: Record<string, unknown>, from: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(from)) {
    const current = into[key];
    into[key] = value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' && !Array.isArray(current)
      ? deepMerge({ ...(current as Record<string, unknown>) }, value as Record<string, unknown>) : value;
  }
  return into;
}

/** --set types its values as Helm does: true/false, integers, null, else a string. */
function setValue(text: string): unknown {
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  if (/^-?\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  return text;
}

/** -f files (YAML or JSON) merged in order, then --set a.b=c. */
function userValues(p: Parsed): Record<string, unknown> {
  let values: Record<string, unknown> = {};
  for (const file of [...(p.values.get('-f') ?? []), ...(p.values.get('--values') ?? [])]) {
    const loaded = parseYaml(readFileSync(file, 'utf8')) as unknown;
    if (loaded && typeof loaded === 'object') values = deepMerge(values, loaded as Record<string, unknown>);
  }
  for (const assignment of p.values.get('--set') ?? []) {
    const [path, ...rest] = assignment.split('=');
    const keys = (path ?? '').split('.');
    const nested = keys.reduceRight<unknown>((acc, key) => ({ [key]: acc }), setValue(rest.join('=')));
    values = deepMerge(values, nested as Record<string, unknown>);
  }
  return values;
}

function statusText(r: HelmReleaseRecord): string {
  return `NAME: ${r.name}\nLAST DEPLOYED: ${new Date(r.info.last_deployed).toUTCString()}\nNAMESPACE: ${r.namespace}\nSTATUS: ${r.info.status}\nREVISION: ${r.version}\nTEST SUITE: None\n`;
}

async function status(p: Parsed, io: HelmIo): Promise<void> {
  const name = p.positionals[1];
  if (!name) throw new HelmError('"helm status" requires 1 argument');
  const namespace = one(p, '-n', '--namespace') ?? 'default';
  const history = await releaseHistory(gatewayFor(p), namespace, name);
  const latest = history[history.length - 1];
  if (!latest || latest.info.status === 'uninstalled') throw new HelmError('release: not found');
  io.out(one(p, '-o', '--output') === 'json' ? `${JSON.stringify(latest)}\n` : statusText(latest));
}

async function upgrade(p: Parsed, io: HelmIo, install: boolean): Promise<void> {
  const [, name, chart] = p.positionals;
  if (!name || !chart) throw new HelmError(`"helm ${install ? 'install' : 'upgrade'}" requires 2 arguments`);
  const namespace = one(p, '-n', '--namespace') ?? 'default';
  const kube = gatewayFor(p);
  if (!(await kube.find({ apiVersion: 'v1', kind: 'Namespace', name: namespace }))) {
    if (!p.flags.has('--create-namespace')) throw new HelmError(`create: failed to create: namespaces "${namespace}" not found`);
    await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  }
  const history = await releaseHistory(kube, namespace, name);
  const previous = history[history.length - 1];
  const verb = previous && previous.info.status !== 'uninstalled' ? 'UPGRADE' : 'INSTALLATION';
  if (!previous && !install && !p.flags.has('--install')) throw new HelmError(`UPGRADE FAILED: "${name}" has no deployed releases`);
  if (previous && install && previous.info.status !== 'uninstalled') throw new HelmError('INSTALLATION FAILED: cannot re-use a name that is still in use');
  // Helm 3 (pkg/action/upgrade.go): a pending last revision is the lock of an operation in progress (or one killed).
  if (previous && PENDING.has(previous.info.status)) throw new HelmError('UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress');
  const values = userValues(p);
  const chartVersion = one(p, '--version') ?? '0.1.0';
  const objects = renderChart({ release: name, namespace, chart, chartVersion, values });
  const now = new Date().toISOString();
  const release: HelmReleaseRecord = {
    name, namespace, version: (previous?.version ?? 0) + 1,
    info: { first_deployed: previous?.info.first_deployed ?? now, last_deployed: now, deleted: '', description: verb === 'UPGRADE' ? 'Preparing upgrade' : 'Initial install underway',
      status: verb === 'UPGRADE' ? 'pending-upgrade' : 'pending-install' },
    chart: { metadata: { name: chartName(chart), version: chartVersion, appVersion: chartVersion, apiVersion: 'v2' } },
    config: values,
    manifest: objects.map((o) => `---\n# Source: ${chartName(chart)}/templates/${o.kind.toLowerCase()}.yaml\n${stringifyYaml(o)}`).join(''),
  };
  await createRelease(kube, release);
  const fail = async (reason: string): Promise<never> => {
    await updateRelease(kube, { ...release, info: { ...release.info, status: 'failed', description: `Release "${name}" failed: ${reason}` } });
    throw new HelmError(`${verb} FAILED: ${reason}`);
  };
  const sandbox = values['sandbox'];
  if (sandbox && typeof sandbox === 'object' && (sandbox as Record<string, unknown>)['fail'] === true) {
    await fail(`sandbox chart ${chartName(chart)} was told to fail (values sandbox.fail)`);
  }
  await applyObjects(kube, objects);
  if (p.flags.has('--wait') || p.flags.has('--atomic')) {
    const ready = await waitReady(kube, namespace, name, parseDuration(one(p, '--timeout'), 300_000));
    if (!ready) await fail('context deadline exceeded');
  }
  for (const old of history.filter((r) => r.info.status === 'deployed')) {
    await updateRelease(kube, { ...old, info: { ...old.info, status: 'superseded', description: 'Superseded by a new release' } });
  }
  await updateRelease(kube, { ...release, info: { ...release.info, status: 'deployed', description: verb === 'UPGRADE' ? 'Upgrade complete' : 'Install complete' } });
  if (verb === 'UPGRADE') io.out(`Release "${name}" has been upgraded. Happy Helming!\n`);
  io.out(statusText({ ...release, info: { ...release.info, status: 'deployed' } }));
}

async function list(p: Parsed, io: HelmIo): Promise<void> {
  const all = p.flags.has('-A') || p.flags.has('--all-namespaces');
  const namespace = all ? undefined : one(p, '-n', '--namespace') ?? 'default';
  const latest = latestByName(await releaseHistory(gatewayFor(p), namespace)).filter((r) => r.info.status !== 'uninstalled');
  const rows = latest.map((r) => ({
    name: r.name, namespace: r.namespace, revision: String(r.version), updated: r.info.last_deployed, status: r.info.status,
    chart: `${r.chart.metadata.name}-${r.chart.metadata.version}`, app_version: r.chart.metadata.appVersion,
  }));
  if (one(p, '-o', '--output') === 'json') {
    io.out(`${JSON.stringify(rows)}\n`);
    return;
  }
  io.out(`${['NAME', 'NAMESPACE', 'REVISION', 'UPDATED', 'STATUS', 'CHART', 'APP VERSION'].join('\t')}\n`);
  for (const r of rows) io.out(`${[r.name, r.namespace, r.revision, r.updated, r.status, r.chart, r.app_version].join('\t')}\n`);
}

async function history(p: Parsed, io: HelmIo): Promise<void> {
  const name = p.positionals[1];
  if (!name) throw new HelmError('"helm history" requires 1 argument');
  const revisions = await releaseHistory(gatewayFor(p), one(p, '-n', '--namespace') ?? 'default', name);
  if (revisions.length === 0) throw new HelmError('release: not found');
  const rows = revisions.map((r) => ({ revision: r.version, updated: r.info.last_deployed, status: r.info.status,
    chart: `${r.chart.metadata.name}-${r.chart.metadata.version}`, app_version: r.chart.metadata.appVersion, description: r.info.description }));
  io.out(one(p, '-o', '--output') === 'json' ? `${JSON.stringify(rows)}\n` : rows.map((r) => `${r.revision}\t${r.status}\t${r.chart}\t${r.description}`).join('\n') + '\n');
}

async function uninstall(p: Parsed, io: HelmIo): Promise<void> {
  const name = p.positionals[1];
  if (!name) throw new HelmError('"helm uninstall" requires at least 1 argument');
  const namespace = one(p, '-n', '--namespace') ?? 'default';
  const kube = gatewayFor(p);
  const revisions = await releaseHistory(kube, namespace, name);
  if (revisions.length === 0) throw new HelmError(`uninstall: Release not loaded: ${name}: release: not found`);
  await deleteReleaseObjects(kube, namespace, name);
  await deleteReleaseHistory(kube, revisions);
  io.out(`release "${name}" uninstalled\n`);
}

/**
 * `helm rollback NAME [REVISION]` (default: the previous revision): a new revision with the target's chart and
 * values, applied and (with --wait) waited for; every deployed revision and the one rolled back from are superseded.
 * Like Helm 3 it works on a release left pending, which is how operators unstick one.
 */
async function rollback(p: Parsed, io: HelmIo): Promise<void> {
  const [, name, wanted] = p.positionals;
  if (!name) throw new HelmError('"helm rollback" requires at least 1 argument');
  const namespace = one(p, '-n', '--namespace') ?? 'default';
  const kube = gatewayFor(p);
  const history = await releaseHistory(kube, namespace, name);
  const current = history[history.length - 1];
  if (!current) throw new HelmError('release: not found');
  const targetRevision = wanted && Number(wanted) > 0 ? Number(wanted) : current.version - 1;
  const target = history.find((r) => r.version === targetRevision);
  if (!target) throw new HelmError(`release has no ${targetRevision} version`);
  const objects = renderChart({ release: name, namespace, chart: target.chart.metadata.name, chartVersion: target.chart.metadata.version, values: target.config });
  const now = new Date().toISOString();
  const release: HelmReleaseRecord = {
    ...target, version: current.version + 1,
    info: { ...target.info, last_deployed: now, status: 'pending-rollback', description: `Rollback to ${targetRevision}` },
  };
  await createRelease(kube, release);
  await applyObjects(kube, objects);
  if (p.flags.has('--wait') && !(await waitReady(kube, namespace, name, parseDuration(one(p, '--timeout'), 300_000)))) {
    await updateRelease(kube, { ...release, info: { ...release.info, status: 'failed', description: `Release "${name}" failed: context deadline exceeded` } });
    throw new HelmError('context deadline exceeded');
  }
  for (const old of history.filter((r) => r.info.status === 'deployed' || r.version === current.version)) {
    await updateRelease(kube, { ...old, info: { ...old.info, status: 'superseded', description: old.info.status === 'deployed' ? 'Superseded by a new release' : old.info.description } });
  }
  await updateRelease(kube, { ...release, info: { ...release.info, status: 'deployed' } });
  io.out('Rollback was a success! Happy Helming!\n');
}

/** `helm show chart CHART [--version V]`: the sandbox's charts have whatever version is asked for (default 0.1.0). */
function showChart(p: Parsed, io: HelmIo): void {
  const [, what, chart] = p.positionals;
  if (what !== 'chart') throw new HelmError(`unknown command "${what ?? ''}" for "helm show" (the sandbox helm knows show chart)`);
  if (!chart) throw new HelmError('"helm show chart" requires 1 argument');
  const version = one(p, '--version') ?? '0.1.0';
  io.out(stringifyYaml({ apiVersion: 'v2', name: chartName(chart), version, appVersion: version }));
}

/** Runs one helm command line; returns the exit code (errors are printed as Helm prints them). */
export async function runHelm(argv: readonly string[], io: HelmIo): Promise<number> {
  const p = parse(argv);
  const command = p.positionals[0];
  try {
    switch (command) {
      case 'version':
        io.out(p.flags.has('--short') ? 'v3.16.2+gsandbox\n' : 'version.BuildInfo{Version:"v3.16.2", GitCommit:"sandbox", GitTreeState:"clean", GoVersion:"go1.22.7"}\n');
        return 0;
      case 'status': await status(p, io); return 0;
      case 'upgrade': await upgrade(p, io, false); return 0;
      case 'install': await upgrade(p, io, true); return 0;
      case 'list': case 'ls': await list(p, io); return 0;
      case 'history': case 'hist': await history(p, io); return 0;
      case 'uninstall': case 'delete': await uninstall(p, io); return 0;
      case 'rollback': await rollback(p, io); return 0;
      case 'show': case 'inspect': showChart(p, io); return 0;
      default:
        throw new HelmError(`unknown command "${command ?? ''}" for "helm" (the sandbox helm knows version, status, install, upgrade, rollback, list, history, uninstall, show chart)`);
    }
  } catch (error) {
    io.err(`Error: ${error instanceof HelmError ? error.message : errorMessage(error)}\n`);
    return 1;
  }
}
