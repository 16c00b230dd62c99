// Answers like Helm 3 for the subcommands fleetdeck uses; releases (every revision) live in a JSON state file.
// FAKE_HELM_STATE: state file. FAKE_TOOL_ARGV_LOG: argv log (shared with the other fakes).
// FAKE_HELM_FAIL: comma-separated release names whose install fails (or `fakeHelm: {fail: true}` in the values).
// FAKE_HELM_FAIL_COUNT: fail only that many times per release, then succeed.
// FAKE_HELM_DELAY_MS (+ FAKE_HELM_DELAY_RELEASE): how long an install/upgrade takes, with the revision stored as
//   pending-install / pending-upgrade meanwhile, as Helm does (kill tests leave it there).
// FAKE_HELM_CHART_VERSION: the version `show chart` reports and an unpinned install gets (default 0.1.0).
// Like Helm 3: `upgrade --install` refuses a release whose last revision is pending-*, `rollback` fixes that,
// `uninstall` removes every revision.
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const log = process.env.FAKE_TOOL_ARGV_LOG;
if (log) appendFileSync(log, JSON.stringify(['helm', ...argv]) + '\n');
const stateFile = process.env.FAKE_HELM_STATE;

function load() {
  if (!stateFile || !existsSync(stateFile)) return { releases: {}, failures: {} };
  return JSON.parse(readFileSync(stateFile, 'utf8'));
}
function save(state) {
  if (!stateFile) return;
  const tmp = `${stateFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2));
  renameSync(tmp, stateFile);
}
function option(...names) {
  for (let i = 0; i < argv.length; i++) {
    for (const name of names) {
      if (argv[i] === name && i + 1 < argv.length) return argv[i + 1];
      if (argv[i].startsWith(name + '=')) return argv[i].slice(name.length + 1);
    }
  }
  return undefined;
}
function positionals() {
  const takesValue = new Set(['-n', '--namespace', '-f', '--values', '--timeout', '-o', '--output', '--kubeconfig', '--kube-context', '--version', '--set', '--max']);
  const out = [];
  for (let i = 0; i < argv.length; i++) {
    if (takesValue.has(argv[i])) { i++; continue; }
    if (argv[i].startsWith('-')) continue;
    out.push(argv[i]);
  }
  return out;
}
function fail(message) {
  process.stderr.write(`Error: ${message}\n`);
  process.exit(1);
}
const key = (ns, name) => `${ns}/${name}`;
const now = () => new Date().toISOString();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const chartShort = (chart) => chart.replace(/\/+$/, '').split('/').pop();
const defaultVersion = () => process.env.FAKE_HELM_CHART_VERSION ?? '0.1.0';
const isPending = (status) => status === 'pending-install' || status === 'pending-upgrade' || status === 'pending-rollback';

// state.releases[key] is the latest revision (what `status` shows) with every revision in `revisions`.
function latestOf(entry) {
  return entry ? entry.revisions[entry.revisions.length - 1] : undefined;
}
function put(state, namespace, name, revisions) {
  const latest = revisions[revisions.length - 1];
  state.releases[key(namespace, name)] = { ...latest, revisions };
}

function releaseJson(r) {
  return {
    name: r.name,
    info: { first_deployed: r.firstDeployed, last_deployed: r.lastDeployed, deleted: '', description: r.description, status: r.status },
    chart: { metadata: { name: chartShort(r.chart), version: r.chartVersion ?? '0.1.0' } },
    config: r.config,
    version: r.revision,
    namespace: r.namespace,
  };
}

const [command] = positionals();
const namespace = option('-n', '--namespace') ?? 'default';
const state = load();

if (command === 'status') {
  const name = positionals()[1];
  const release = latestOf(state.releases[key(namespace, name)]);
  if (!release) fail('release: not found');
  process.stdout.write(JSON.stringify(releaseJson(release)) + '\n');
} else if (command === 'history') {
  const name = positionals()[1];
  const entry = state.releases[key(namespace, name)];
  if (!entry) fail('release: not found');
  const rows = entry.revisions.map((r) => ({ revision: r.revision, updated: r.lastDeployed, status: r.status,
    chart: `${chartShort(r.chart)}-${r.chartVersion ?? '0.1.0'}`, app_version: r.chartVersion ?? '0.1.0', description: r.description }));
  process.stdout.write(JSON.stringify(rows) + '\n');
} else if (command === 'show') {
  const [, what, chart] = positionals();
  if (what !== 'chart' || !chart) fail(`unknown command "${what}" for "helm show"`);
  process.stdout.write(`apiVersion: v2\nname: ${chartShort(chart)}\nversion: ${option('--version') ?? defaultVersion()}\nappVersion: ${option('--version') ?? defaultVersion()}\n`);
} else if (command === 'upgrade') {
  if (!argv.includes('--install')) fail('this fake helm only supports upgrade --install');
  const [, name, chart] = positionals();
  const valuesFile = option('-f', '--values');
  const config = valuesFile ? JSON.parse(readFileSync(valuesFile, 'utf8')) : {};
  const before = state.releases[key(namespace, name)];
  const last = latestOf(before);
  // Helm 3 (pkg/action/upgrade.go): a pending last revision is a lock another operation holds.
  if (last && isPending(last.status)) fail('UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress');
  const revisions = before ? [...before.revisions] : [];
  const upgrading = revisions.some((r) => r.status !== 'uninstalled');
  const revision = (last?.revision ?? 0) + 1;
  const release = {
    name, namespace, chart, revision, config,
    chartVersion: option('--version') ?? defaultVersion(),
    firstDeployed: revisions[0]?.firstDeployed ?? now(), lastDeployed: now(),
    status: upgrading ? 'pending-upgrade' : 'pending-install',
    description: upgrading ? 'Preparing upgrade' : 'Initial install underway',
  };
  const delayFor = process.env.FAKE_HELM_DELAY_RELEASE;
  if (process.env.FAKE_HELM_DELAY_MS && (!delayFor || delayFor === name)) {
    put(state, namespace, name, [...revisions, release]);
    save(state);
    await sleep(Number(process.env.FAKE_HELM_DELAY_MS));
  }
  const after = load();
  const failNames = (process.env.FAKE_HELM_FAIL ?? '').split(',').filter(Boolean);
  let failing = failNames.includes(name) || config?.fakeHelm?.fail === true;
  if (failing && process.env.FAKE_HELM_FAIL_COUNT) {
    const count = after.failures[key(namespace, name)] ?? 0;
    failing = count < Number(process.env.FAKE_HELM_FAIL_COUNT);
    after.failures[key(namespace, name)] = count + 1;
  }
  const done = failing
    ? { ...release, status: 'failed', description: `Release "${name}" failed: context deadline exceeded` }
    : { ...release, status: 'deployed', description: upgrading ? 'Upgrade complete' : 'Install complete' };
  const kept = revisions.map((r) => (!failing && r.status === 'deployed' ? { ...r, status: 'superseded', description: 'Superseded by a new release' } : r));
  put(after, namespace, name, [...kept, done]);
  save(after);
  if (failing) fail(`${upgrading ? 'UPGRADE' : 'INSTALLATION'} FAILED: release ${name} failed: context deadline exceeded`);
  process.stdout.write(`${upgrading ? `Release "${name}" has been upgraded. Happy Helming!\n` : ''}NAME: ${name}\nLAST DEPLOYED: ${done.lastDeployed}\nNAMESPACE: ${namespace}\nSTATUS: deployed\nREVISION: ${revision}\nTEST SUITE: None\n`);
} else if (command === 'rollback') {
  const [, name, wanted] = positionals();
  const entry = state.releases[key(namespace, name)];
  if (!entry) fail('release: not found');
  const last = latestOf(entry);
  const targetRevision = wanted && Number(wanted) > 0 ? Number(wanted) : last.revision - 1;
  const target = entry.revisions.find((r) => r.revision === targetRevision);
  if (!target) fail(`release has no ${targetRevision} version`);
  const revision = last.revision + 1;
  const kept = entry.revisions.map((r) => (r.status === 'deployed' || r.revision === last.revision ? { ...r, status: 'superseded', description: r.status === 'deployed' ? 'Superseded by a new release' : r.description } : r));
  put(state, namespace, name, [...kept, { ...target, revision, status: 'deployed', lastDeployed: now(), description: `Rollback to ${targetRevision}` }]);
  save(state);
  process.stdout.write('Rollback was a success! Happy Helming!\n');
} else if (command === 'uninstall') {
  const name = positionals()[1];
  if (!state.releases[key(namespace, name)]) fail(`uninstall: Release not loaded: ${name}: release: not found`);
  delete state.releases[key(namespace, name)];
  save(state);
  process.stdout.write(`release "${name}" uninstalled\n`);
} else if (command === 'list') {
  const all = argv.includes('-A') || argv.includes('--all-namespaces');
  const rows = Object.values(state.releases)
    .filter((r) => all || r.namespace === namespace)
    .map((r) => ({ name: r.name, namespace: r.namespace, revision: String(r.revision), updated: r.lastDeployed, status: r.status, chart: `${chartShort(r.chart)}-${r.chartVersion ?? '0.1.0'}`, app_version: '' }));
  process.stdout.write(JSON.stringify(rows) + '\n');
} else if (command === 'version') {
  process.stdout.write('version.BuildInfo{Version:"v3.16.2", GitCommit:"fake", GitTreeState:"clean", GoVersion:"go1.22.7"}\n');
} else {
  fail(`unknown command "${command}" for "helm"`);
}
