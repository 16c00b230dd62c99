// Shared plumbing for the fake k3d/kind executables: argv recording and a JSON state file.
// FAKE_TOOL_STATE: path of the state JSON; FAKE_TOOL_ARGV_LOG: file receiving one JSON argv array per line.
// FAKE_TOOL_FAIL: "<tool> <subcommand>" to make that call fail, FAKE_TOOL_FAIL_STDERR: what it prints.
import { appendFileSync, readFileSync, writeFileSync, existsSync } from 'node:fs';

export function record(tool, argv) {
  const log = process.env.FAKE_TOOL_ARGV_LOG;
  if (log) appendFileSync(log, JSON.stringify([tool, ...argv]) + '\n');
}

export function loadState() {
  const file = process.env.FAKE_TOOL_STATE;
  if (!file || !existsSync(file)) return { k3d: {}, kind: {} };
  return JSON.parse(readFileSync(file, 'utf8'));
}

export function saveState(state) {
  const file = process.env.FAKE_TOOL_STATE;
  if (file) writeFileSync(file, JSON.stringify(state, null, 2));
}

export function failIfAsked(tool, argv) {
  const wanted = process.env.FAKE_TOOL_FAIL;
  if (!wanted) return;
  const call = [tool, ...argv].join(' ');
  if (call.startsWith(wanted)) {
    process.stderr.write((process.env.FAKE_TOOL_FAIL_STDERR ?? `${tool} failed`) + '\n');
    process.exit(1);
  }
}

export function optionValues(argv, ...names) {
  const out = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    for (const name of names) {
      if (arg === name && i + 1 < argv.length) out.push(argv[i + 1]);
      else if (arg.startsWith(name + '=')) out.push(arg.slice(name.length + 1));
    }
  }
  return out;
}

export function fakeKubeconfig(context, server) {
  return [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    '    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJkekNDQVIyZ0F3SUJBZ0lCQURBS0JnZ3Foa2pPUFFRREFqQWpNU0V3SHdZRFZRUUREQmhyTTNNdGMyVnkK',
    `    server: ${server}`,
    `  name: ${context}`,
    'contexts:',
    '- context:',
    `    cluster: ${context}`,
    `    user: admin@${context}`,
    `  name: ${context}`,
    `current-context: ${context}`,
    'kind: Config',
    'preferences: {}',
    'users:',
    `- name: admin@${context}`,
    '  user:',
    '    token: fake-canary-token-0123456789',
    '',
  ].join('\n');
}
