// Answers like k3d v5 for the subcommands fleetdeck uses.
import { record, loadState, saveState, failIfAsked, optionValues, fakeKubeconfig, pauseIfAsked } from './fake-common.mjs';

const argv = process.argv.slice(2);
record('k3d', argv);
failIfAsked('k3d', argv);
const state = loadState();
const [group, verb, name] = argv;

function clusterJson(c) {
  const lbPorts = { '6443/tcp': [{ HostIp: '0.0.0.0', HostPort: String(c.apiPort) }] };
  for (const spec of c.ports) {
    const [mapping] = spec.split('@');
    const [hostPort, containerPort] = mapping.split(':');
    lbPorts[`${containerPort}/tcp`] = [{ HostIp: '0.0.0.0', HostPort: hostPort }];
  }
  const server = { name: `k3d-${c.name}-server-0`, role: 'server', image: 'rancher/k3s:v1.31.5-k3s1', State: { Running: c.running, Status: c.running ? 'running' : 'exited', Started: '' }, serverOpts: { kubeAPI: { Port: '6443/tcp', Binding: { HostIp: '0.0.0.0', HostPort: String(c.apiPort) }, host: '0.0.0.0' } } };
  const lb = { name: `k3d-${c.name}-serverlb`, role: 'loadbalancer', image: 'ghcr.io/k3d-io/k3d-proxy:5.8.3', portMappings: lbPorts, State: { Running: c.running, Status: c.running ? 'running' : 'exited', Started: '' }, serverOpts: { kubeAPI: null } };
  return {
    name: c.name,
    network: { name: c.network, id: 'e3b0c44298fc', isExternal: c.networkExternal ?? true, ipam: { ipPrefix: c.subnet ?? '172.18.0.0/16', ipsUsed: null, Managed: false }, Members: null },
    nodes: [server, lb],
    InitNode: null,
    kubeAPI: { Port: '6443/tcp', Binding: { HostIp: '0.0.0.0', HostPort: String(c.apiPort) }, host: '0.0.0.0' },
    serverLoadBalancer: { config: null },
    imageVolume: `k3d-${c.name}-images`,
    volumes: [`k3d-${c.name}-images`],
    serversRunning: c.running ? 1 : 0,
    serversCount: 1,
    agentsRunning: 0,
    agentsCount: 0,
    hasLoadbalancer: true,
  };
}

if (group === 'cluster' && verb === 'create') {
  if (state.k3d[name]) {
    process.stderr.write(`FATA[0000] Failed to create cluster '${name}' because a cluster with that name already exists\n`);
    process.exit(1);
  }
  const apiPort = Number(optionValues(argv, '--api-port')[0] ?? 40000 + Object.keys(state.k3d).length);
  // Like k3d: --network names a network to join, created (with --subnet, else a Docker-assigned prefix) when it
  // does not exist; joining one that exists ignores --subnet, so the cluster reports that network's prefix.
  const networkName = optionValues(argv, '--network')[0] ?? `k3d-${name}`;
  state.networks ??= {};
  const existing = state.networks[networkName];
  const network = existing ?? { ipPrefix: optionValues(argv, '--subnet')[0] ?? `172.${18 + Object.keys(state.networks).length}.0.0/16`, createdBy: name };
  state.networks[networkName] = network;
  state.k3d[name] = {
    name,
    apiPort,
    ports: optionValues(argv, '-p', '--port'),
    subnet: network.ipPrefix,
    network: networkName,
    networkExternal: existing !== undefined,
    running: false,
  };
  saveState(state);
  const prep = existing ? `Re-using existing network '${networkName}' (${Buffer.from(networkName).toString('hex').slice(0, 12)})` : `Created network '${networkName}'`;
  process.stderr.write(`INFO[0000] Prep: Network\nINFO[0000] ${prep}\nINFO[0001] Creating node 'k3d-${name}-server-0'\n`);
  // FAKE_TOOL_PAUSE="k3d cluster create": hang with the nodes created but not started, as a killed k3d leaves them.
  await pauseIfAsked('k3d', argv);
  const after = loadState();
  after.k3d[name] = { ...after.k3d[name], running: true };
  saveState(after);
  process.stderr.write(`INFO[0000] Cluster '${name}' created successfully!\n`);
} else if (group === 'cluster' && verb === 'delete') {
  if (state.k3d[name]) {
    // FAKE_TOOL_PAUSE="k3d cluster delete": hang with the nodes stopped but not yet removed.
    state.k3d[name].running = false;
    saveState(state);
    await pauseIfAsked('k3d', argv);
    Object.assign(state, loadState());
    const { network, networkExternal } = state.k3d[name];
    delete state.k3d[name];
    // k3d removes a network it created once no cluster is left on it; a network it joined stays.
    if (!networkExternal && !Object.values(state.k3d).some((c) => c.network === network)) delete state.networks?.[network];
    saveState(state);
    process.stderr.write(`INFO[0000] Successfully deleted cluster ${name}!\n`);
  } else {
    process.stderr.write('INFO[0000] No nodes found for given cluster\n');
  }
} else if (group === 'cluster' && (verb === 'start' || verb === 'stop')) {
  // Like k3d v5: each named cluster's nodes are started (waiting for the servers unless --wait=false) or stopped;
  // nodes already in that state are left as they are. An unknown name is fatal.
  const names = [];
  for (let i = 2; i < argv.length; i++) {
    if (argv[i] === '--timeout') i++; // its value
    else if (!argv[i].startsWith('-')) names.push(argv[i]);
  }
  for (const wanted of names) {
    if (!state.k3d[wanted]) {
      process.stderr.write(`FATA[0000] failed to get cluster ${wanted}: No nodes found for given cluster\n`);
      process.exit(1);
    }
  }
  for (const wanted of names) {
    const c = state.k3d[wanted];
    if (verb === 'start') {
      process.stderr.write(`INFO[0000] Using the k3d-tools node to gather environment information\nINFO[0000] Starting cluster '${wanted}'\n`);
      if (c.running) process.stderr.write(`INFO[0000] Node k3d-${wanted}-server-0 is already running\nINFO[0000] Node k3d-${wanted}-serverlb is already running\n`);
      else process.stderr.write(`INFO[0000] Starting servers...\nINFO[0000] Starting node 'k3d-${wanted}-server-0'\nINFO[0001] Starting helpers...\nINFO[0001] Starting node 'k3d-${wanted}-serverlb'\n`);
      c.running = true;
      process.stderr.write(`INFO[0002] Started cluster '${wanted}'\n`);
    } else {
      c.running = false;
      process.stderr.write(`INFO[0000] Stopping cluster '${wanted}'\nINFO[0001] Stopped cluster '${wanted}'\n`);
    }
  }
  saveState(state);
} else if (group === 'cluster' && verb === 'list') {
  const clusters = Object.values(state.k3d).sort((a, b) => a.name.localeCompare(b.name));
  process.stdout.write(JSON.stringify(clusters.map(clusterJson)) + '\n');
} else if (group === 'kubeconfig' && verb === 'get') {
  const c = state.k3d[name];
  if (!c) {
    process.stderr.write(`FATA[0000] failed to get cluster ${name}: No nodes found for given cluster\n`);
    process.exit(1);
  }
  process.stdout.write(fakeKubeconfig(`k3d-${name}`, `https://0.0.0.0:${c.apiPort}`));
} else {
  process.stderr.write(`Error: unknown command "${argv.join(' ')}" for "k3d"\n`);
  process.exit(1);
}
