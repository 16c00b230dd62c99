import { FleetError } from '../errors.js';
import { describeProblems, podProblems, releaseSelector, unreadyWorkloads } from './kube-checks.js';
import type { Stage, StageEnv, StageOutcome } from './stage-env.js';
import { stageTimeout } from './stage-env.js';
import type { StageName } from './stage-plan.js';
import { DEFAULT_CHARTS, RELEASES, STORAGE_SECRET_NAME } from './stage-plan.js';
import { applyStorageSecret } from './storage-secret.js';

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function section(values: Record<string, unknown>, key: string): Record<string, unknown> {
  const found = values[key];
  return found && typeof found === 'object' && !Array.isArray(found) ? (found as Record<string, unknown>) : {};
}

/** The values a release gets: the seed's cluster context, the cluster's common values, then its own. */
export function releaseValues(env: StageEnv, release: string): Record<string, unknown> {
  const { cluster } = env;
  const base: Record<string, unknown> = {
    global: { clusterName: cluster.name, storageMode: cluster.storageMode, namespace: cluster.namespace },
    ...section(cluster.helmValues, 'common'),
  };
  if (release === RELEASES.infrastructure) base['storage'] = cluster.managedStorageConfig;
  if (release === RELEASES.applications || release === RELEASES.migration) base['storageSecret'] = STORAGE_SECRET_NAME;
  return { ...base, ...section(cluster.helmValues, release) };
}

function chartFor(env: StageEnv, release: string): string {
  const chart = section(env.cluster.helmValues, 'charts')[release];
  return typeof chart === 'string' ? chart : DEFAULT_CHARTS[release]!;
}

/** Fails the stage the moment one of the release's pods is in CrashLoopBackOff or ImagePullBackOff. */
async function throwOnPodProblems(env: StageEnv, release: string, signal: AbortSignal): Promise<void> {
  const problems = await podProblems(env.kube, env.cluster.namespace, releaseSelector(release), signal);
  if (problems.length > 0) {
    throw new FleetError('EXTERNAL', `release ${release} cannot become ready: ${describeProblems(problems)}`,
      `Look at the pods with \`kubectl -n ${env.cluster.namespace} describe pod\`; fix the image or config, then \`fleetdeck installs retry ${env.cluster.name}\`.`);
  }
}

/** check (deployed with the same values → skip), act (helm upgrade --install), watching pods meanwhile. */
function helmStage(release: string): Stage {
  return async (env, name) => {
    const values = releaseValues(env, release);
    const current = await env.helm.status(env.helmTarget, env.cluster.namespace, release, env.signal);
    if (current?.status === 'deployed' && stable(current.config) === stable(values)) {
      return { status: 'skipped', detail: `${release} already deployed (revision ${current.revision})` };
    }
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(env.signal.reason);
    env.signal.addEventListener('abort', onAbort, { once: true });
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        await env.clock.sleep(env.pollMs, controller.signal).catch(() => undefined);
        if (!watching) return;
        await throwOnPodProblems(env, release, controller.signal);
      }
    })();
    try {
      await Promise.race([
        env.helm.upgradeInstall(env.helmTarget, env.cluster.namespace, release, chartFor(env, release),
          { values, timeoutMs: stageTimeout(env, name), signal: controller.signal }),
        watcher,
      ]);
    } finally {
      watching = false;
      controller.abort();
      env.signal.removeEventListener('abort', onAbort);
      await watcher.catch(() => undefined);
    }
    const after = await env.helm.status(env.helmTarget, env.cluster.namespace, release, env.signal);
    return { status: 'completed', detail: `${release} ${current ? 'upgraded' : 'installed'} (revision ${after?.revision ?? '?'})` };
  };
}

/** Waits until the release is deployed and its workloads are ready, within the stage's own timeout. */
function waitStage(release: string): Stage {
  return async (env, name) => {
    const deadline = env.clock.now().getTime() + stageTimeout(env, name);
    for (;;) {
      const status = await env.helm.status(env.helmTarget, env.cluster.namespace, release, env.signal);
      if (!status) throw new FleetError('EXTERNAL', `release ${release} is not installed`, `Run \`fleetdeck installs retry ${env.cluster.name}\` to install it again.`);
      if (status.status === 'failed') throw new FleetError('EXTERNAL', `release ${release} is in state failed`, `Run \`fleetdeck installs retry ${env.cluster.name}\`.`);
      await throwOnPodProblems(env, release, env.signal);
      const waiting = await unreadyWorkloads(env.kube, env.cluster.namespace, release, env.signal);
      if (status.status === 'deployed' && waiting.length === 0) return { status: 'completed', detail: `${release} ready` };
      if (env.clock.now().getTime() >= deadline) {
        throw new FleetError('TIMEOUT', `${release} was not ready within ${Math.round(stageTimeout(env, name) / 1000)} s (waiting for ${waiting.join(', ') || `helm status ${status.status}`})`,
          `Check the workloads in namespace ${env.cluster.namespace}, then \`fleetdeck installs retry ${env.cluster.name}\`.`);
      }
      await env.clock.sleep(env.pollMs, env.signal);
    }
  };
}

const initStage: Stage = async (env, name): Promise<StageOutcome> => {
  if (env.cluster.storageMode === 'external') return { status: 'skipped', detail: 'external storage: the database is assumed configured' };
  return helmStage(RELEASES.init)(env, name);
};

const storageSecretStage: Stage = async (env) => {
  const result = await applyStorageSecret(env);
  return result === 'unchanged'
    ? { status: 'skipped', detail: `secret ${STORAGE_SECRET_NAME} already up to date` }
    : { status: 'completed', detail: `secret ${STORAGE_SECRET_NAME} ${result}` };
};

export const STAGES: Record<StageName, Stage> = {
  StageOperators: helmStage(RELEASES.operators),
  StageWaitOperators: waitStage(RELEASES.operators),
  StageInfrastructure: helmStage(RELEASES.infrastructure),
  StageWaitInfra: waitStage(RELEASES.infrastructure),
  StageInit: initStage,
  StageDatabaseMigration: helmStage(RELEASES.migration),
  StageStorageSecret: storageSecretStage,
  StageApplications: helmStage(RELEASES.applications),
  StageWaitApps: waitStage(RELEASES.applications),
};
