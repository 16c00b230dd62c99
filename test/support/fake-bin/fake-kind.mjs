// Answers like kind v0.2x for the subcommands fleetdeck uses.
import { readFileSync } from 'node:fs';
import { record, loadState, saveState, failIfAsked, optionValues, fakeKubeconfig } from './fake-common.mjs';

const argv = process.argv.slice(2);
record('kind', argv);
failIfAsked('kind', argv);
const state = loadState();
const [verb, noun] = argv;
const name = optionValues(argv, '--name', '-n')[0] ?? 'kind';

if (verb === 'create' && noun === 'cluster') {
  if (state.kind[name]) {
    process.stderr.write(`ERROR: failed to create cluster: node(s) already exist for a cluster with the name "${name}"\n`);
    process.exit(1);
  }
  const configPath = optionValues(argv, '--config')[0];
  state.kind[name] = { name, config: configPath ? readFileSync(configPath, 'utf8') : null };
  saveState(state);
  process.stderr.write(`Creating cluster "${name}" ...\n ✓ Ensuring node image (kindest/node:v1.31.0) 🖼\n`);
} else if (verb === 'delete' && noun === 'cluster') {
  delete state.kind[name];
  saveState(state);
  process.stderr.write(`Deleting cluster "${name}" ...\n`);
} else if (verb === 'get' && noun === 'clusters') {
  const names = Object.keys(state.kind).sort();
  if (names.length === 0) process.stderr.write('No kind clusters found.\n');
  else process.stdout.write(names.join('\n') + '\n');
} else if (verb === 'get' && noun === 'kubeconfig') {
  if (!state.kind[name]) {
    process.stderr.write(`ERROR: could not locate any control plane nodes for cluster named '${name}'. Use the --name option to select a different cluster\n`);
    process.exit(1);
  }
  process.stdout.write(fakeKubeconfig(`kind-${name}`, 'https://127.0.0.1:41234'));
} else {
  process.stderr.write(`ERROR: unknown command "${argv.join(' ')}" for "kind"\n`);
  process.exit(1);
}
