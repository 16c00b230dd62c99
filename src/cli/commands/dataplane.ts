import { readFileSync } from 'node:fs';
import { validateConcurrency, validateRunner } from '../../../core/config.js';
import type { ClusterInstallSummary, DataplaneOptions, InstallView, TriggerResult } from '../../../core/dataplane/index.js';
import {
  HelmCli, INSTALLER_SPEC_DIR, INSTALLER_SPEC_KEY, dataplaneFor, inClusterConnection, readInstallerSpec, runInstaller, validateStorageMode,
} from '../../../core/dataplane/index.js';
import { ValidationError } from '../../../core/errors.js';
import { createKubeGateway } from '../../../core/kube/gateways.js';
import { startDaemon } from '../../daemon/daemon.js';
import type { Daemon } from '../../daemon/daemon.js';
import { dataplaneOptionsFor } from '../../daemon/dataplane-options.js';
import { untilSignal } from '../../daemon/signals.js';
import { startHttpApi } from '../../http/server.js';
import { flagInt, flagString } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { printJson } from '../context.js';
import { installerOutput, taskStateText } from '../../../views/panels/installs-output.js';
import { age, renderFields, renderTable } from '../table.js';

function oneName(ctx: CommandContext, usage: string): string {
  const [name, ...rest] = ctx.operands;
  if (!name || rest.length > 0) throw new ValidationError('give exactly one cluster name', `Usage: ${usage}`);
  return name;
}

async function service(ctx: CommandContext): Promise<ReturnType<typeof dataplaneFor>['service']> {
  const engine = await ctx.engine();
  return dataplaneFor(engine, dataplaneOptionsFor(engine)).service;
}

function readSecretFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new ValidationError(`cannot read the ${what} file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, 'Check the path and its permissions.');
  }
}

function progress(s: ClusterInstallSummary): string {
  if (!s.task) return '-';
  return `${s.task.stagesCompleted.length}/${s.stageCount}${s.task.currentStage && s.task.status === 'running' ? ` ${s.task.currentStage}` : ''}`;
}

export function renderInstalls(rows: readonly ClusterInstallSummary[]): string {
  if (rows.length === 0) return 'No dataplane clusters. Add one with `fleetdeck dataplane add NAME --context CTX`.';
  return renderTable(['CLUSTER', 'SOURCE', 'STORAGE', 'DATAPLANE', 'TASK', 'STATUS', 'STAGES', 'RETRIES', 'ERROR'], rows.map((s) => [
    s.name, s.source, s.storageMode ?? '-', s.dataplaneStatus, s.task ? String(s.task.id) : '-', s.task ? taskStateText(s.task) : '-', progress(s),
    s.task ? String(s.task.retryCount) : '-', s.task?.errorMessage ?? '',
  ]));
}

export function renderInstall(view: InstallView): string {
  const now = Date.now();
  const head = renderFields([
    ['Cluster', view.cluster], ['Dataplane', view.dataplaneStatus], ['Storage mode', view.storageMode ?? '(not detected yet)'],
    ['Task', view.task ? `${view.task.id} ${taskStateText(view.task)}${view.task.retryCount && view.task.status !== 'pending' ? ` (retry ${view.task.retryCount}/${view.task.maxRetries})` : ''}` : 'none'],
    ...(view.task?.errorMessage ? [['Error', view.task.errorMessage] as [string, string]] : []),
  ]);
  if (!view.task) return head;
  const stages = renderTable(['#', 'STAGE', 'STATUS', 'ELAPSED', 'DETAIL'], view.task.stages.map((s) => [
    String(s.position), s.name, s.status,
    s.startedAt ? (s.finishedAt ? `${Math.round((Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 100) / 10}s` : age(s.startedAt, now)) : '',
    s.error ?? s.detail ?? '',
  ]));
  return `${head}\n\n${stages}`;
}

function printTriggered(ctx: CommandContext, r: TriggerResult, verb: string): void {
  if (ctx.json) printJson(ctx, { history_id: r.historyId, task_id: r.taskId, cluster_name: r.cluster, storage_mode: r.storageMode });
  else ctx.out(`${verb} ${r.cluster} (${r.storageMode}): task ${r.taskId}, history ${r.historyId}. Follow it with \`fleetdeck installs show ${r.cluster}\`.`);
}

const add: Command = {
  path: ['dataplane', 'add'],
  usage: 'fleetdeck dataplane add NAME (--context CTX | --server URL [--token-file F] [--ca-file F]) [--storage-mode external|lens-managed] [--namespace NS]',
  summary: 'register (or update) a cluster for the Lens dataplane; credentials are encrypted with FLEETDECK_SECRET_KEY',
  flags: ['context', 'server', 'token-file', 'ca-file', 'storage-mode', 'namespace'],
  async run(ctx) {
    const name = oneName(ctx, this.usage);
    const context = flagString(ctx.args, 'context');
    const server = flagString(ctx.args, 'server');
    const tokenFile = flagString(ctx.args, 'token-file');
    const caFile = flagString(ctx.args, 'ca-file');
    const mode = flagString(ctx.args, 'storage-mode');
    const namespace = flagString(ctx.args, 'namespace');
    const cluster = await (await service(ctx)).addCluster({
      name,
      ...(context ? { kubeContext: context } : {}),
      ...(server ? { kubeServer: server } : {}),
      ...(tokenFile ? { credentials: { token: readSecretFile(tokenFile, 'token') } } : {}),
      ...(caFile ? { kubeCaData: readSecretFile(caFile, 'CA') } : {}),
      ...(mode ? { storageMode: validateStorageMode(mode) } : {}),
      ...(namespace ? { namespace } : {}),
    });
    if (ctx.json) printJson(ctx, cluster);
    else ctx.out(`Registered ${cluster.name} (${cluster.storageMode ?? 'storage mode not set'}), dataplane ${cluster.dataplaneStatus}.`);
    return 0;
  },
};

const storageMode: Command = {
  path: ['dataplane', 'storage-mode'], usage: 'fleetdeck dataplane storage-mode NAME external|lens-managed',
  summary: 'choose how the dataplane gets its storage', flags: [],
  async run(ctx) {
    const [name, mode, ...rest] = ctx.operands;
    if (!name || !mode || rest.length > 0) throw new ValidationError('give a cluster name and a storage mode', `Usage: ${this.usage}`);
    const cluster = await (await service(ctx)).setStorageMode(name, mode);
    if (ctx.json) printJson(ctx, cluster);
    else ctx.out(`${cluster.name}: storage mode ${cluster.storageMode}.`);
    return 0;
  },
};

const deploy: Command = {
  path: ['deploy'], usage: 'fleetdeck deploy CLUSTER [--json]', summary: 'trigger a dataplane install (TriggerDeploy)', flags: [],
  async run(ctx) {
    printTriggered(ctx, await (await service(ctx)).trigger(oneName(ctx, this.usage)), 'Queued the dataplane install of');
    return 0;
  },
};

const ls: Command = {
  path: ['installs', 'ls'], usage: 'fleetdeck installs ls [--json]', summary: 'every cluster\'s dataplane status and install progress', flags: [],
  async run(ctx) {
    const rows = await (await service(ctx)).list();
    if (ctx.json) printJson(ctx, rows);
    else ctx.out(renderInstalls(rows));
    return 0;
  },
};

const show: Command = {
  path: ['installs', 'show'], usage: 'fleetdeck installs show CLUSTER [--json]', summary: 'the current or last install, stage by stage', flags: [],
  async run(ctx) {
    const view = await (await service(ctx)).show(oneName(ctx, this.usage));
    if (ctx.json) printJson(ctx, view);
    else ctx.out(renderInstall(view));
    return 0;
  },
};

const retry: Command = {
  path: ['installs', 'retry'], usage: 'fleetdeck installs retry CLUSTER [--json]', summary: 'run a failed install again from its failed stage', flags: [],
  async run(ctx) {
    const installs = await service(ctx);
    const result = await installs.retry(oneName(ctx, this.usage));
    // JSON: the task view, as `installs show --json` prints it (stages reset to pending from the failed one on).
    if (ctx.json) printJson(ctx, await installs.show(result.cluster));
    else printTriggered(ctx, result, 'Re-queued the install of');
    return 0;
  },
};

const logs: Command = {
  path: ['installs', 'logs'], usage: 'fleetdeck installs logs CLUSTER [--json]',
  summary: 'what the installer printed for the current or last install: each stage\'s helm output, the installer Job\'s log', flags: [],
  async run(ctx) {
    const view = await (await service(ctx)).show(oneName(ctx, this.usage));
    if (ctx.json) printJson(ctx, { cluster: view.cluster, task: view.task && { id: view.task.id, status: view.task.status, runner: view.task.runner,
      jobLog: view.task.jobLog, stages: view.task.stages.map((s) => ({ name: s.name, status: s.status, error: s.error, output: s.output })) } });
    else ctx.out(installerOutput(view).join('\n') || `No installer output recorded for ${view.cluster}.`);
    return 0;
  },
};

/** --runner and --concurrency win over FLEETDECK_INSTALL_RUNNER / _CONCURRENCY and the config file. */
function schedulerFlags(ctx: CommandContext): DataplaneOptions {
  const runner = flagString(ctx.args, 'runner');
  const concurrency = flagString(ctx.args, 'concurrency');
  return {
    ...(runner !== undefined ? { taskRunner: validateRunner(runner, '--runner') } : {}),
    ...(concurrency !== undefined ? { concurrency: validateConcurrency(concurrency, '--concurrency') } : {}),
  };
}

function describeScheduler(running: Daemon): string {
  return `worker ${running.scheduler.workerId}, ${running.scheduler.runner} runner, ${running.scheduler.concurrency} installs at once`;
}

const daemon: Command = {
  path: ['daemon'], usage: 'fleetdeck daemon [--runner process|job] [--concurrency N]',
  summary: 'run the install scheduler and the cluster and storage sync loops', flags: ['runner', 'concurrency'],
  async run(ctx) {
    const engine = await ctx.engine();
    // The management cluster: FLEETDECK_MANAGEMENT_CONTEXT, else the fleet's (configuration, or the sandbox devops).
    const running = await startDaemon({ engine, dataplane: dataplaneOptionsFor(engine, schedulerFlags(ctx)), log: (line) => ctx.err(line) });
    ctx.err(`fleetdeck daemon running (${describeScheduler(running)}); Ctrl-C stops it.`);
    await untilSignal();
    await running.stop();
    return 0;
  },
};

const serve: Command = {
  path: ['serve'], usage: 'fleetdeck serve [--host H] [--port N] [--runner process|job] [--concurrency N]',
  summary: 'the HTTP API (POST /lens/v1/release/clusters/:cluster_name/deploy) plus the daemon loops',
  flags: ['host', 'port', 'runner', 'concurrency'],
  async run(ctx) {
    const engine = await ctx.engine();
    const port = flagInt(ctx.args, 'port') ?? 8080;
    if (port > 65535) throw new ValidationError(`--port ${port} is not a port`, 'Use 0-65535 (0 picks a free one).', 'port');
    const options = dataplaneOptionsFor(engine, schedulerFlags(ctx));
    const running = await startDaemon({ engine, dataplane: options, log: (line) => ctx.err(line) });
    const api = await startHttpApi({ dataplane: dataplaneFor(engine, options).service, host: flagString(ctx.args, 'host') ?? '127.0.0.1', port })
      .catch(async (error: unknown) => {
        await running.stop();
        throw new ValidationError(`cannot listen on port ${port}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, 'Pick another --port, or stop what uses it.', 'port');
      });
    if (ctx.json) printJson(ctx, { url: api.url, port: api.port, worker: running.scheduler.workerId, runner: running.scheduler.runner, concurrency: running.scheduler.concurrency });
    else ctx.out(`fleetdeck serve: listening on ${api.url} (${describeScheduler(running)}); Ctrl-C stops it.`);
    await untilSignal();
    await api.close();
    await running.stop();
    return 0;
  },
};

const installer: Command = {
  path: ['dataplane', 'installer'], usage: 'fleetdeck dataplane installer [--spec FILE]',
  summary: 'run one install task inside the primus-lens-installer Job (the installer image\'s command)', flags: ['spec'],
  async run(ctx) {
    const spec = readInstallerSpec(flagString(ctx.args, 'spec') ?? process.env.INSTALLER_SPEC ?? `${INSTALLER_SPEC_DIR}/${INSTALLER_SPEC_KEY}`);
    // In the pod: its ServiceAccount (helm finds the same in-cluster config); KUBECONFIG, when set, wins for both.
    const kube = createKubeGateway(process.env.KUBECONFIG ? { kind: 'kubeconfig-file' } : inClusterConnection() ?? { kind: 'kubeconfig-file' }, { timeoutMs: 30_000 });
    const controller = new AbortController();
    const stop = (): void => controller.abort(new Error('the installer was told to stop'));
    process.once('SIGTERM', stop);
    try {
      const { result } = await runInstaller(spec, {
        kube, helm: new HelmCli({ binary: process.env.FLEETDECK_HELM ?? 'helm' }), reporter: 'fleetdeck-installer', signal: controller.signal,
        log: (line) => ctx.out(line),
      });
      return result === 'succeeded' ? 0 : 1;
    } finally {
      process.off('SIGTERM', stop);
    }
  },
};

export const dataplaneCommands: Command[] = [add, storageMode, deploy, ls, show, retry, logs, daemon, serve, installer];
