// Answers like Helm 3 for the subcommands fleetdeck uses; releases live in a JSON state file.
// FAKE_HELM_STATE: state file. FAKE_TOOL_ARGV_LOG: argv log (shared with the other fakes).
// FAKE_HELM_FAIL: comma-separated release names whose install fails (or `fakeHelm: {fail: true}` in the values).
// FAKE_HELM_FAIL_COUNT: fail only that many times per release, then succeed.
// FAKE_HELM_DELAY_MS (+ FAKE_HELM_DELAY_RELEASE): how long an install takes (for kill-mid-stage tests).
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
  const takesValue = new Set(['-n', '--namespace', '-f', '--values', '--timeout', '-o', '--output', '--kubeconfig', '--kube-context', '--version', '--set']);
  const out = [];
  for (let i = 0; i < argv.length; i++) {
    if (takesValue.has(argv[i])) { i++; continue; }
    if (argv[i].startsWith('-')) continue;
    out.push(argv[i]);
  }
  return out;
}
const key = (ns, name) => `${ns}/${name}`;
const now = () => new Date().toISOString();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function releaseJson(r) {
  return {
    name: r.name,
    info: { first_deployed: r.firstDeployed, last_deployed: r.lastDeployed, deleted: '', description: r.description, status: r.status },
    chart: { metadata: { name: r.chart.split('/').pop(), version: r.chartVersion ?? '0.1.0' } },
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
  const release = state.releases[key(namespace, name)];
  if (!release) {
    process.stderr.write('Error: release: not found\n');
    process.exit(1);
  }
  process.stdout.write(JSON.stringify(releaseJson(release)) + '\n');
} else if (command === 'upgrade') {
  if (!argv.includes('--install')) {
    process.stderr.write('Error: this fake helm only supports upgrade --install\n');
    process.exit(1);
  }
  const [, name, chart] = positionals();
  const valuesFile = option('-f', '--values');
  const config = valuesFile ? JSON.parse(readFileSync(valuesFile, 'utf8')) : {};
  const delayFor = process.env.FAKE_HELM_DELAY_RELEASE;
  if (process.env.FAKE_HELM_DELAY_MS && (!delayFor || delayFor === name)) {
    const existing = state.releases[key(namespace, name)];
    state.releases[key(namespace, name)] = { ...(existing ?? { name, namespace, chart, revision: 0, firstDeployed: now(), config }), status: existing ? 'pending-upgrade' : 'pending-install' };
    save(state);
    await sleep(Number(process.env.FAKE_HELM_DELAY_MS));
  }
  const after = load();
  const previous = after.releases[key(namespace, name)];
  const failNames = (process.env.FAKE_HELM_FAIL ?? '').split(',').filter(Boolean);
  let fail = failNames.includes(name) || config?.fakeHelm?.fail === true;
  if (fail && process.env.FAKE_HELM_FAIL_COUNT) {
    const count = after.failures[key(namespace, name)] ?? 0;
    fail = count < Number(process.env.FAKE_HELM_FAIL_COUNT);
    after.failures[key(namespace, name)] = count + 1;
  }
  const revision = (previous?.revision ?? 0) + 1;
  const release = {
    name, namespace, chart, revision, config,
    chartVersion: option('--version') ?? '0.1.0',
    firstDeployed: previous?.firstDeployed ?? now(), lastDeployed: now(),
    status: fail ? 'failed' : 'deployed',
    description: fail ? `Release "${name}" failed: context deadline exceeded` : (previous ? 'Upgrade complete' : 'Install complete'),
  };
  after.releases[key(namespace, name)] = release;
  save(after);
  if (fail) {
    process.stderr.write(`Error: ${previous ? 'UPGRADE' : 'INSTALLATION'} FAILED: release ${name} failed, and has been uninstalled due to atomic being set: context deadline exceeded\n`);
    process.exit(1);
  }
  process.stdout.write(`Release "${name}" has been ${previous ? 'upgraded' : 'installed'}. Happy Helming!\nNAME: ${name}\nNAMESPACE: ${namespace}\nSTATUS: deployed\nREVISION: ${revision}\n`);
} else if (command === 'uninstall') {
  const name = positionals()[1];
  if (!state.releases[key(namespace, name)]) {
    process.stderr.write(`Error: uninstall: Release not loaded: ${name}: release: not found\n`);
    process.exit(1);
  }
  delete state.releases[key(namespace, name)];
  save(state);
  process.stdout.write(`release "${name}" uninstalled\n`);
} else if (command === 'list') {
  const all = argv.includes('-A') || argv.includes('--all-namespaces');
  const rows = Object.values(state.releases)
    .filter((r) => all || r.namespace === namespace)
    .map((r) => ({ name: r.name, namespace: r.namespace, revision: String(r.revision), updated: r.lastDeployed, status: r.status, chart: `${r.chart.split('/').pop()}-${r.chartVersion ?? '0.1.0'}`, app_version: '' }));
  process.stdout.write(JSON.stringify(rows) + '\n');
} else if (command === 'version') {
  process.stdout.write('version.BuildInfo{Version:"v3.16.2", GitCommit:"fake", GitTreeState:"clean", GoVersion:"go1.22.7"}\n');
} else {
  process.stderr.write(`Error: unknown command "${command}" for "helm"\n`);
  process.exit(1);
}
