/**
 * The installer as it runs inside the `primus-lens-installer` Job: the same stages as the in-process runner, with
 * helm talking to its own cluster (in-cluster config) and progress going to the progress ConfigMap (job-progress.ts).
 */
import { readFileSync } from 'node:fs';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { FleetError, asFleetError } from '../errors.js';
import type { KubeConnection } from '../kube/connection.js';
import type { KubeGateway } from '../kube/types.js';
import type { HelmClient } from './helm-client.js';
import type { InstallerSpec } from './job-progress.js';
import { ProgressJournal } from './job-progress.js';
import { runStagesWithOutput } from './process-runner.js';
import { redact } from './redact.js';

export interface InstallerDeps {
  kube: KubeGateway;
  helm: HelmClient;
  /** Identifies the writer in the progress document, e.g. `fleetdeck-installer/0.1.0`. */
  reporter: string;
  log(line: string): void;
  clock?: Clock;
  signal?: AbortSignal;
}

export function readInstallerSpec(path: string): InstallerSpec {
  let spec: InstallerSpec;
  try {
    spec = JSON.parse(readFileSync(path, 'utf8')) as InstallerSpec;
  } catch (error) {
    throw new FleetError('VALIDATION', `the installer task file ${path} cannot be read: ${asFleetError(error).message}`,
      'The Job mounts it from the Secret primus-lens-installer-<task>; check that the Secret exists and is mounted.');
  }
  if (spec.version !== 1 || !spec.cluster || !Array.isArray(spec.stages)) {
    throw new FleetError('VALIDATION', `the installer task file ${path} is not a fleetdeck installer task (version 1)`, 'Use the installer image that matches the fleetdeck that created the Job.');
  }
  return spec;
}

/** The pod's own API server, as client-node's loadFromCluster sees it: service host/port, mounted token and CA. */
export function inClusterConnection(env: NodeJS.ProcessEnv = process.env, dir = '/var/run/secrets/kubernetes.io/serviceaccount'): KubeConnection | null {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (!host || !port) return null;
  const read = (file: string): string | undefined => {
    try {
      return readFileSync(`${dir}/${file}`, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const token = read('token');
  const ca = read('ca.crt');
  return {
    kind: 'server', name: 'in-cluster', server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ...(token ? { token } : {}), ...(ca ? { certificateAuthority: ca } : {}),
  };
}

/** Runs the spec's remaining stages; the result is also written to the progress ConfigMap. */
export async function runInstaller(spec: InstallerSpec, deps: InstallerDeps): Promise<{ result: 'succeeded' | 'failed'; error: string | null }> {
  const known = Object.values(spec.cluster.storageSecrets);
  const journal = new ProgressJournal(deps.kube, spec.cluster.namespace, spec.progressConfigMap, spec.stages, deps.reporter,
    (line) => deps.log(redact(line, known)));
  const signal = deps.signal ?? new AbortController().signal;
  deps.log(`installing the Lens dataplane into ${spec.cluster.name} (task ${spec.taskId}, ${spec.cluster.storageMode} storage, namespace ${spec.cluster.namespace})`);
  await journal.begin();
  try {
    await runStagesWithOutput(journal, {
      cluster: spec.cluster, helm: deps.helm, helmTarget: {}, kube: deps.kube, clock: deps.clock ?? systemClock,
      timeouts: spec.timeouts, pollMs: spec.pollMs, signal,
    }, signal);
  } catch (error) {
    const message = redact(asFleetError(error).message, known);
    await journal.end('failed', message);
    deps.log(`install failed: ${message}`);
    return { result: 'failed', error: message };
  }
  await journal.end('succeeded', null);
  deps.log('install complete');
  return { result: 'succeeded', error: null };
}
