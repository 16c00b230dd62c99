// Answers like kind v0.2x for the subcommands fleetdeck uses. kind's real state is Docker containers; this fake
// keeps them in the shared state file (`state.kind[name].nodes`), which the fake `docker` lists.
// FAKE_TOOL_PAUSE="kind create cluster": the create leaves its node created but not started, then hangs (kill tests).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { record, loadState, saveState, failIfAsked, optionValues, fakeKubeconfig, pauseIfAsked } from './fake-common.mjs';

const argv = process.argv.slice(2);
record('kind', argv);
failIfAsked('kind', argv);
const state = loadState();
const [verb, noun] = argv;
const name = optionValues(argv, '--name', '-n')[0] ?? 'kind';

/** The node containers `kind create cluster --config` makes: extraPortMappings and the API server's port on each. */
function nodesFrom(config, apiPort) {
  const wanted = config?.nodes?.length ? config.nodes : [{ role: 'control-plane' }];
  const address = config?.networking?.apiServerAddress ?? '127.0.0.1';
  let workers = 0;
  return wanted.map((node, i) => {
    const role = node.role ?? 'control-plane';
    const containerName = role === 'worker' ? `${name}-worker${workers++ === 0 ? '' : workers}` : `${name}-control-plane${i === 0 ? '' : i + 1}`;
    const ports = (node.extraPortMappings ?? []).map((m) => ({
      hostIp: m.listenAddress ?? '0.0.0.0', hostPort: m.hostPort, containerPort: m.containerPort, protocol: (m.protocol ?? 'TCP').toLowerCase(),
    }));
    if (role === 'control-plane' && i === 0) ports.push({ hostIp: address, hostPort: apiPort, containerPort: 6443, protocol: 'tcp' });
    return { name: containerName, role, running: true, ports };
  });
}

if (verb === 'create' && noun === 'cluster') {
  if (state.kind[name]) {
    process.stderr.write(`ERROR: failed to create cluster: node(s) already exist for a cluster with the name "${name}"\n`);
    process.exit(1);
  }
  const configPath = optionValues(argv, '--config')[0];
  const config = configPath ? readFileSync(configPath, 'utf8') : null;
  const parsed = config ? parse(config) : null;
  state.nextKindApiPort = (state.nextKindApiPort ?? 41234);
  const apiPort = parsed?.networking?.apiServerPort ?? state.nextKindApiPort++;
  const nodes = nodesFrom(parsed, apiPort);
  state.kind[name] = { name, config, apiPort, nodes: nodes.map((n) => ({ ...n, running: false, started: false })) };
  saveState(state);
  process.stderr.write(`Creating cluster "${name}" ...\n ✓ Ensuring node image (kindest/node:v1.31.0) 🖼\n ✓ Preparing nodes 📦\n`);
  await pauseIfAsked('kind', argv);
  const after = loadState();
  after.kind[name] = { ...after.kind[name], nodes };
  saveState(after);
  process.stderr.write(` ✓ Starting control-plane 🕹️\nSet kubectl context to "kind-${name}"\n`);
} else if (verb === 'delete' && noun === 'cluster') {
  process.stderr.write(`Deleting cluster "${name}" ...\n`);
  if (state.kind[name]) {
    // FAKE_TOOL_PAUSE="kind delete cluster": hang with the node containers stopped but not yet removed.
    for (const node of state.kind[name].nodes ?? []) node.running = false;
    saveState(state);
    await pauseIfAsked('kind', argv);
  }
  const after = loadState();
  delete after.kind[name];
  saveState(after);
} else if (verb === 'get' && noun === 'clusters') {
  const names = Object.keys(state.kind).sort();
  if (names.length === 0) process.stderr.write('No kind clusters found.\n');
  else process.stdout.write(names.join('\n') + '\n');
} else if (verb === 'get' && noun === 'kubeconfig') {
  const cluster = state.kind[name];
  if (!cluster) {
    process.stderr.write(`ERROR: could not locate any control plane nodes for cluster named '${name}'. Use the --name option to select a different cluster\n`);
    process.exit(1);
  }
  process.stdout.write(fakeKubeconfig(`kind-${name}`, `https://127.0.0.1:${cluster.apiPort ?? 41234}`));
} else {
  process.stderr.write(`ERROR: unknown command "${argv.join(' ')}" for "kind"\n`);
  process.exit(1);
}
