// Shared plumbing for the fake k3d/kind executables: argv recording and a JSON state file.
// FAKE_TOOL_STATE: path of the state JSON; FAKE_TOOL_ARGV_LOG: file receiving one JSON argv array per line.
// FAKE_TOOL_FAIL: "<tool> <subcommand>" to make that call fail, FAKE_TOOL_FAIL_STDERR: what it prints.
// FAKE_TOOL_PAUSE: "<tool> <subcommand>" to make that call hang half-way (kill tests); it appends a line to
// FAKE_TOOL_PAUSED_FILE when it starts hanging.
import { appendFileSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';

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
  if (!file) return;
  // Atomic, as readers (drift scans) may run while a create writes.
  writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${file}.${process.pid}.tmp`, file);
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

/** Canary credentials the fake kubeconfigs carry; none of them may ever reach fleetdeck's output. */
export const FAKE_KUBECONFIG_TOKEN = 'fake-canary-token-0123456789';
export const FAKE_CLIENT_CERT_DATA = Buffer.from('-----BEGIN CERTIFICATE-----\nfake-canary-client-cert\n-----END CERTIFICATE-----\n').toString('base64');
export const FAKE_CLIENT_KEY_DATA = Buffer.from('-----BEGIN EC PRIVATE KEY-----\nfake-canary-client-key\n-----END EC PRIVATE KEY-----\n').toString('base64');

/**
 * A kubeconfig as k3d/kind print it. The user authenticates with a bearer token, or, with
 * FAKE_KUBECONFIG_AUTH=client-cert, with a client certificate and key (what real k3d and kind hand out).
 */
export function fakeKubeconfig(context, server) {
  const user = process.env.FAKE_KUBECONFIG_AUTH === 'client-cert'
    ? [`    client-certificate-data: ${FAKE_CLIENT_CERT_DATA}`, `    client-key-data: ${FAKE_CLIENT_KEY_DATA}`]
    : [`    token: ${FAKE_KUBECONFIG_TOKEN}`];
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
    ...user,
    '',
  ].join('\n');
}

export async function pauseIfAsked(tool, argv) {
  const wanted = process.env.FAKE_TOOL_PAUSE;
  if (!wanted || ![tool, ...argv].join(' ').startsWith(wanted)) return;
  if (process.env.FAKE_TOOL_PAUSED_FILE) appendFileSync(process.env.FAKE_TOOL_PAUSED_FILE, `${[tool, ...argv].join(' ')}\n`);
  await new Promise((resolve) => setTimeout(resolve, 600_000));
}
