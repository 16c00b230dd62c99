/**
 * A sandbox cluster hosted in its own process, for crash tests: argv JSON {name, stateDir}. Prints the API
 * server's URL once it answers, then serves until killed.
 */
import { startSandboxCluster } from '../../../src/sandbox/kube-api/index.js';

const { name, stateDir } = JSON.parse(process.argv[2] ?? '{}') as { name: string; stateDir: string };
const cluster = await startSandboxCluster({ name, stateDir, controller: false });
process.stdout.write(`${cluster.url}\n`);
