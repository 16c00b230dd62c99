/**
 * `drift.repair`: one step per repair action of a plan. Every action checks before it acts, so a resumed repair
 * never does anything twice.
 */
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { EventRelay } from '../db/notifications.js';
import { ConflictError, FleetError, NotFoundError } from '../errors.js';
import { explainAddFailure } from '../inventory/add-errors.js';
import type { AllocationRanges } from '../inventory/allocation.js';
import { insertCluster } from '../inventory/allocation.js';
import { getCluster } from '../inventory/queries.js';
import type { ClusterRecord } from '../inventory/types.js';
import { ensureRegistered, requireRow } from '../lifecycle/env-effects.js';
import { REGISTRAR_KINDS, findLive, type FleetPorts, type FleetPortsSource } from '../lifecycle/ports.js';
import { checkpointed, type StepCheckpoint } from '../lifecycle/steps-hook.js';
import type { OperationKind, StepContext, StepDefinition, StepOutputs } from '../operations/types.js';
import type { LiveStatus } from '../providers/types.js';
import { portsFromLive } from './live-match.js';
import { probeServer } from './probe.js';
import { markPlanApplied } from './plan-store.js';
import type { RepairAction } from './types.js';

export const DRIFT_REPAIR = 'drift.repair';

export interface RepairKindDeps {
  db: Database;
  relay: EventRelay;
  ranges: AllocationRanges;
  ports: FleetPortsSource;
  clock?: Clock;
  checkpoint?: StepCheckpoint;
  startWait?: StartWaitOptions;
}

/** How long `start_cluster` waits for a started cluster's API server to answer, and how often it asks. */
export interface StartWaitOptions {
  /** Default 60 s (the provider's own wait for the servers gets as long). */
  timeoutMs?: number;
  /** Default 1 s. */
  pollMs?: number;
}

export interface RepairParams {
  planId: string;
  actions: RepairAction[];
}

/** A step's name says what it does; its position is numbered by whoever shows the steps. Unique within a plan. */
export function stepName(action: RepairAction): string {
  const subject = 'cluster' in action ? action.cluster : action.branch;
  const via = 'registrar' in action ? ` ${action.registrar}` : '';
  const provider = 'provider' in action ? ` (${action.provider})` : '';
  return `${action.type}${via} ${subject}${provider}`;
}

async function registerAll(ports: FleetPorts, deps: RepairKindDeps, name: string): Promise<StepOutputs> {
  const row = await requireRow(deps.db, name);
  const out: StepOutputs = {};
  for (const kind of REGISTRAR_KINDS) out[kind] = (await ensureRegistered(ports, kind, row)).action;
  return out;
}

/**
 * Runs the create steps still missing for a row whose cluster is gone. The cluster is claimed in the journal before
 * the provider creates it, so a resume after a crash in the middle of that create replaces the half-made cluster
 * (it is this operation's) instead of taking it as running.
 */
async function recreate(ports: FleetPorts, deps: RepairKindDeps, name: string, ctx: StepContext): Promise<StepOutputs> {
  const row = await requireRow(deps.db, name);
  const live = await findLive(ports, row);
  const provider = ports.providers[row.provider];
  let created = false;
  if (!live) {
    await ctx.note({ claimed: true });
    await provider.create(row);
    created = true;
  } else if (ctx.journaled.claimed === true && (live.status === 'stopped' || live.status === 'degraded')) {
    await provider.delete(row.name);
    await provider.create(row);
    created = true;
  }
  return { created, ...(await registerAll(ports, deps, name)) };
}

/**
 * Starts a cluster the provider has but does not run, then waits until the provider lists it running and its API
 * server accepts connections (drift's own check). Starting is safe to repeat: a running cluster is left as it is,
 * so a cluster that runs but does not answer (another port, a broken API server) ends in a clear error, with
 * nothing else changed, and replacing it stays the explicit choice.
 */
async function startCluster(ports: FleetPorts, deps: RepairKindDeps, name: string): Promise<StepOutputs> {
  const row = await requireRow(deps.db, name);
  const provider = ports.providers[row.provider];
  const before = await findLive(ports, row);
  if (!before) {
    throw new NotFoundError(`${row.provider} cluster`, name, 'It is gone: scan again with `fleetdeck drift`, which then offers to create it again from its row.');
  }
  const timeoutMs = deps.startWait?.timeoutMs ?? 60_000;
  await provider.start(name, { waitSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)) });
  const server = await waitForApi(ports, row, before.status, timeoutMs, deps.startWait?.pollMs ?? 1000);
  return { was: before.status, server };
}

function replaceHint(name: string): string {
  return `To replace the cluster instead (deleted and created again from its row, losing what runs in it): \`fleetdeck repair --plan --only api_unreachable:${name} --delete\`.`;
}

/** Where to look when a started cluster does not answer, with the provider's tools. */
function startFailureHint(row: ClusterRecord, server: string | null): string {
  const name = row.name;
  const look = row.provider === 'k3d'
    ? `\`docker ps -a --filter name=k3d-${name}-\`, \`docker logs k3d-${name}-server-0\``
    : `\`docker ps -a --filter label=io.x-k8s.kind.cluster=${name}\`, \`docker logs ${name}-control-plane\``;
  const kubeconfig = row.provider === 'k3d' ? `k3d kubeconfig get ${name}` : `kind get kubeconfig --name ${name}`;
  const where = server ? `that ${server} is where its API server listens` : 'which port its API server publishes';
  return `Check its node containers and the API server's log (${look}), and ${where} (\`${kubeconfig}\`). Nothing else was changed. ${replaceHint(name)}`;
}

async function waitForApi(ports: FleetPorts, row: ClusterRecord, was: LiveStatus, timeoutMs: number, pollMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let server: string | null = null;
  let why: string;
  for (;;) {
    const live = await findLive(ports, row);
    server = live?.serverUrl ?? server;
    if (!live) {
      why = `${row.provider} no longer lists it`;
    } else if (live.status === 'stopped' || live.status === 'degraded') {
      why = `${row.provider} still lists it as ${live.status}`;
    } else if (!live.serverUrl) {
      why = `${row.provider} reports no API server address for it`;
    } else {
      const failure = await probeServer(live.serverUrl, Math.max(250, Math.min(2000, deadline - Date.now())));
      if (failure === null) return live.serverUrl;
      why = failure;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, left)));
  }
  const what = was === 'running' ? `cluster ${row.name} was running already (starting it changed nothing)` : `cluster ${row.name} was started`;
  throw new FleetError('TIMEOUT',
    `${what}, but its API server${server ? ` at ${server}` : ''} did not answer within ${Math.round(timeoutMs / 1000)} s (${why})`,
    startFailureHint(row, server), { cluster: row.name, provider: row.provider, ...(server ? { server } : {}) });
}

async function runAction(action: RepairAction, deps: RepairKindDeps, ctx: StepContext): Promise<StepOutputs> {
  const ports = await deps.ports();
  switch (action.type) {
    case 'create_branch': {
      const result = await ports.git.ensureBranch(await requireRow(deps.db, action.cluster));
      return { sha: result.sha, action: result.action };
    }
    case 'archive_branch': {
      if (await getCluster(deps.db, action.branch)) return { kept: 'a cluster of that name is in the inventory now' };
      const archived = await ports.git.archiveBranch(action.branch, (deps.clock ?? systemClock).now());
      return { archivedAs: archived?.archivedAs ?? null };
    }
    case 'recreate_cluster':
      return recreate(ports, deps, action.cluster, ctx);
    case 'start_cluster':
      return startCluster(ports, deps, action.cluster);
    case 'replace_cluster': {
      const row = await requireRow(deps.db, action.cluster);
      await ports.providers[row.provider].delete(row.name);
      await ports.providers[row.provider].create(row);
      return registerAll(ports, deps, row.name);
    }
    case 'adopt_cluster':
      return adopt(ports, deps, action.cluster, action.provider);
    case 'delete_cluster': {
      if (await getCluster(deps.db, action.cluster)) {
        throw new ConflictError(`cluster ${action.cluster} is in the inventory now; refusing to delete it as an orphan`, 'Delete the environment with `fleetdeck env delete` instead.');
      }
      await ports.providers[action.provider].delete(action.cluster);
      return {};
    }
    case 'ensure_registration':
      return ensureRegistered(ports, action.registrar, await requireRow(deps.db, action.cluster));
    case 'remove_registration':
      return ports.registrars[action.registrar].remove(action.cluster);
    case 'update_row_from_live':
      return updateRowFromLive(ports, deps, action.cluster);
  }
}

async function adopt(ports: FleetPorts, deps: RepairKindDeps, name: string, provider: 'k3d' | 'kind'): Promise<StepOutputs> {
  const existing = await getCluster(deps.db, name);
  if (existing && existing.provider !== provider) {
    throw new ConflictError(`the inventory has ${name} as a ${existing.provider} cluster, not ${provider}`, 'Delete one of the two, then scan again.');
  }
  if (!existing) {
    const live = await findLive(ports, { name, provider });
    if (!live) throw new NotFoundError(`${provider} cluster`, name, 'It is gone already; scan again with `fleetdeck drift`.');
    const spec = { name, provider, ...portsFromLive(live), subnet: provider === 'k3d' ? live.subnet : null };
    try {
      await insertCluster(deps.db, spec, deps.ranges);
    } catch (error) {
      throw await explainAddFailure(deps.db, spec, error);
    }
    await deps.relay.publish({ topic: 'inventory', type: 'cluster.added', target: name, data: { adopted: true } });
  }
  const row = await requireRow(deps.db, name);
  const branch = await ports.git.ensureBranch(row);
  return { adopted: !existing, branch: branch.action, ...(await registerAll(ports, deps, name)) };
}

async function updateRowFromLive(ports: FleetPorts, deps: RepairKindDeps, name: string): Promise<StepOutputs> {
  const row = await requireRow(deps.db, name);
  const live = await findLive(ports, row);
  if (!live) throw new NotFoundError(`${row.provider} cluster`, name, 'The cluster is gone; scan again and recreate it.');
  const found = portsFromLive(live);
  const next = { ...row, ...found, subnet: live.subnet ?? row.subnet };
  try {
    await deps.db.query(
      'UPDATE clusters SET http_port = $2, https_port = $3, pf_port = $4, node_port = $5, subnet = $6::cidr WHERE name = $1',
      [name, next.httpPort, next.httpsPort, next.pfPort, next.nodePort, next.subnet]);
  } catch (error) {
    throw await explainAddFailure(deps.db, { name, provider: row.provider, httpPort: next.httpPort, httpsPort: next.httpsPort, pfPort: next.pfPort, subnet: next.subnet }, error);
  }
  await deps.relay.publish({ topic: 'inventory', type: 'cluster.updated', target: name });
  return { ports: [next.pfPort, next.httpPort, next.httpsPort], subnet: next.subnet, ...(await registerAll(ports, deps, name)) };
}

export function repairKind(deps: RepairKindDeps): OperationKind {
  return {
    kind: DRIFT_REPAIR,
    steps(params) {
      const { actions } = params as unknown as RepairParams;
      const { planId } = params as unknown as RepairParams;
      const repairs = actions.map((action): StepDefinition => {
        const name = stepName(action);
        return { name, run: (ctx) => checkpointed(deps.checkpoint, name, () => runAction(action, deps, ctx)) };
      });
      // The plan is marked applied by the operation itself, so a repair finished by `ops resume` after a crash
      // does not leave its plan "applying" for ever.
      return [...repairs, { name: `mark plan ${planId} applied`, run: async (ctx) => {
        await markPlanApplied(deps.db, planId, ctx.operationId);
        return {};
      } }];
    },
  };
}
