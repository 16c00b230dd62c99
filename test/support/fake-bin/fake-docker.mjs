// Answers like the Docker CLI for what fleetdeck asks about kind's node containers, from the fake kind's state:
//   docker ps -a [--filter label=K[=V]]... --format '{{json .}}'   one JSON object a line, Labels and Ports as strings
//   docker stop|start CONTAINER...                                   prints each name, as docker does
import { record, loadState, saveState, failIfAsked, optionValues } from './fake-common.mjs';

const argv = process.argv.slice(2);
record('docker', argv);
failIfAsked('docker', argv);
const state = loadState();
const [command] = argv;

function containers() {
  const out = [];
  for (const cluster of Object.values(state.kind).sort((a, b) => a.name.localeCompare(b.name))) {
    for (const node of cluster.nodes ?? []) out.push({ cluster: cluster.name, node });
  }
  return out;
}

function portsText(ports) {
  // Docker lists a binding on all interfaces for IPv4 and IPv6.
  return ports.flatMap((p) => {
    const v4 = `${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}`;
    return p.hostIp === '0.0.0.0' ? [v4, `[::]:${p.hostPort}->${p.containerPort}/${p.protocol}`] : [v4];
  }).join(', ');
}

function psJson({ cluster, node }) {
  const labels = { 'io.x-k8s.kind.cluster': cluster, 'io.x-k8s.kind.role': node.role };
  return {
    Command: '"/usr/local/bin/entrypoint /sbin/init"',
    CreatedAt: '2026-01-01 10:00:00 +0000 UTC',
    ID: Buffer.from(node.name).toString('hex').padEnd(12, '0').slice(0, 12),
    Image: 'kindest/node:v1.31.0',
    Labels: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(','),
    LocalVolumes: '1',
    Mounts: '/lib/modules,d1c5a7f3b2e4…',
    Names: node.name,
    Networks: 'kind',
    Ports: node.running ? portsText(node.ports) : '',
    RunningFor: '2 hours ago',
    Size: '0B',
    State: node.running ? 'running' : node.started === false ? 'created' : 'exited',
    Status: node.running ? 'Up 2 hours' : 'Exited (137) 5 minutes ago',
  };
}

function matches(entry, filters) {
  const labels = { 'io.x-k8s.kind.cluster': entry.cluster, 'io.x-k8s.kind.role': entry.node.role };
  return filters.every((filter) => {
    const [kind, spec] = [filter.slice(0, filter.indexOf('=')), filter.slice(filter.indexOf('=') + 1)];
    if (kind !== 'label') return false;
    const [key, value] = spec.split('=');
    return key in labels && (value === undefined || labels[key] === value);
  });
}

if (command === 'ps') {
  const format = optionValues(argv, '--format')[0];
  if (format !== '{{json .}}') {
    process.stderr.write('this fake docker only answers ps --format \'{{json .}}\'\n');
    process.exit(1);
  }
  const all = argv.includes('-a') || argv.includes('--all');
  const filters = optionValues(argv, '--filter', '-f');
  const lines = containers().filter((c) => (all || c.node.running) && matches(c, filters)).map((c) => JSON.stringify(psJson(c)));
  process.stdout.write(lines.map((l) => `${l}\n`).join(''));
} else if (command === 'stop' || command === 'start') {
  const names = argv.slice(1).filter((a) => !a.startsWith('-'));
  for (const wanted of names) {
    const found = containers().find((c) => c.node.name === wanted);
    if (!found) {
      process.stderr.write(`Error response from daemon: No such container: ${wanted}\n`);
      process.exit(1);
    }
    found.node.running = command === 'start';
    process.stdout.write(`${wanted}\n`);
  }
  saveState(state);
} else {
  process.stderr.write(`docker: '${command}' is not a docker command (this fake answers ps, start and stop).\n`);
  process.exit(1);
}
