import { FleetError } from '../errors.js';
import { describeProblems, podProblems, releaseSelector, unreadyWorkloads } from './kube-checks.js';
import type { HelmRelease } from './helm-client.js';
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

/** The chart of a release: helm_values.charts.<release> as "repo/chart" or { chart, version } (a version pin). */
export function chartFor(env: StageEnv, release: string): { chart: string; version?: string } {
  const entry = section(env.cluster.helmValues, 'charts')[release];
  if (typeof entry === 'string') return { chart: entry };
  if (entry && typeof entry === 'object' && !Array.isArray(entry)) {
    const { chart, version } = entry as { chart?: unknown; version?: unknown };
    return {
      chart: typeof chart === 'string' ? chart : DEFAULT_CHARTS[release]!,
      ...(typeof version === 'string' || typeof version === 'number' ? { version: String(version) } : {}),
    };
  }
  return { chart: DEFAULT_CHARTS[release]! };
}

/** Fails the stage the moment one of the release's pods is in CrashLoopBackOff or ImagePullBackOff. */
async function throwOnPodProblems(env: StageEnv, release: string, signal: AbortSignal): Promise<void> {
  const problems = await podProblems(env.kube, env.cluster.namespace, releaseSelector(release), signal);
  if (problems.length > 0) {
    throw new FleetError('EXTERNAL', `release ${release} cannot become ready: ${describeProblems(problems)}`,
      `Look at the pods with \`kubectl -n ${env.cluster.namespace} describe pod\`; fix the image or config, then \`fleetdeck installs retry ${env.cluster.name}\`.`);
  }
}

const PENDING = new Set(['pending-install', 'pending-upgrade', 'pending-rollback']);

/**
 * A release left pending-* (a killed worker, an aborted --wait) makes Helm refuse every further operation. Recover
 * as an operator would: a pending-install that never deployed is uninstalled (then installed afresh); otherwise
 * roll back to the last deployed revision (then upgrade). Returns the release as it stands afterwards.
 */
async function recoverPending(env: StageEnv, name: StageName, release: string, current: HelmRelease): Promise<HelmRelease | null> {
  const { helmTarget, cluster } = env;
  const history = await env.helm.history(helmTarget, cluster.namespace, release, env.signal);
  const earlier = history.filter((r) => r.revision < current.revision);
  const target = [...earlier].reverse().find((r) => r.status === 'deployed')
    ?? [...earlier].reverse().find((r) => r.status === 'superseded' || r.status === 'failed');
  const options = { timeoutMs: stageTimeout(env, name), signal: env.signal };
  if (current.status === 'pending-install' || !target) {
    env.note(`release ${release} was left ${current.status} (revision ${current.revision}) with no deployed revision before it: helm uninstall, then install`);
    env.note(await env.helm.uninstall(helmTarget, cluster.namespace, release, options));
    return null;
  }
  env.note(`release ${release} was left ${current.status} (revision ${current.revision}): helm rollback to revision ${target.revision} (${target.status}), then upgrade`);
  env.note(await env.helm.rollback(helmTarget, cluster.namespace, release, target.revision, options));
  return env.helm.status(helmTarget, cluster.namespace, release, env.signal);
}

/**
 * check (deployed with the same chart, chart version and values → skip; left pending → recover), then act (helm
 * upgrade --install), watching the release's pods meanwhile.
 */
function helmStage(release: string): Stage {
  return async (env, name) => {
    const values = releaseValues(env, release);
    const { chart, version } = chartFor(env, release);
    let current = await env.helm.status(env.helmTarget, env.cluster.namespace, release, env.signal);
    const wanted = await env.helm.showChart(chart, version, env.signal);
    if (current?.status === 'deployed' && current.chartName === wanted.name && current.chartVersion === wanted.version
      && stable(current.config) === stable(values)) {
      return { status: 'skipped', detail: `${release} already deployed (revision ${current.revision}, ${wanted.name}-${wanted.version})` };
    }
    if (current && PENDING.has(current.status)) current = await recoverPending(env, name, release, current);
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
      const output = await Promise.race([
        env.helm.upgradeInstall(env.helmTarget, env.cluster.namespace, release, chart,
          { values, ...(version ? { version } : {}), timeoutMs: stageTimeout(env, name), signal: controller.signal }),
        watcher.then(() => ''),
      ]);
      env.note(output);
    } finally {
      watching = false;
      controller.abort();
      env.signal.removeEventListener('abort', onAbort);
      await watcher.catch(() => undefined);
    }
    const after = await env.helm.status(env.helmTarget, env.cluster.namespace, release, env.signal);
    const verb = current ? (current.chartVersion !== wanted.version ? `upgraded to ${wanted.name}-${wanted.version}` : 'upgraded') : 'installed';
    return { status: 'completed', detail: `${release} ${verb} (revision ${after?.revision ?? '?'})` };
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
  switch (result.action) {
    case 'unchanged': return { status: 'skipped', detail: `secret ${STORAGE_SECRET_NAME} present with every key it needs (${result.keys} keys); left as it is` };
    case 'created': return { status: 'completed', detail: `secret ${STORAGE_SECRET_NAME} created (${result.keys} keys)` };
    case 'extended': return { status: 'completed', detail: `secret ${STORAGE_SECRET_NAME}: added ${result.added.join(', ')}; existing keys kept` };
  }
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
