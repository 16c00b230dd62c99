/**
 * Creating and deleting environments (seeds 001/002) as journaled operations. Input is checked before the first
 * write; the operation runner audits every start, resume and undo.
 */
import type { Database } from '../db/database.js';
import { ConflictError, NotFoundError, ReadonlyError } from '../errors.js';
import { getCluster } from '../inventory/queries.js';
import type { ClusterSpec, Provider } from '../inventory/types.js';
import { validateClusterName, validateClusterSpec, validateProvider } from '../inventory/validation.js';
import type { OperationRunner } from '../operations/operation-runner.js';
import type { OperationRecord } from '../operations/types.js';
import { ENV_CREATE, envCreateKind, type EnvCreateParams, type LifecycleKindDeps } from './create-kind.js';
import { ENV_DELETE, envDeleteKind, type EnvDeleteParams } from './delete-kind.js';
import type { FleetPortsSource } from './ports.js';
import { findPreexisting, refuseTakeover } from './takeover.js';

/** Everything of a cluster spec except its name and provider. */
export type CreateEnvOptions = Omit<ClusterSpec, 'name' | 'provider'>;

export interface LifecycleServiceDeps {
  db: Database;
  readonly: boolean;
  runner: OperationRunner;
  /** The outside systems, to refuse a create over a branch or cluster that exists without a row. */
  ports: FleetPortsSource;
}

/** Registers `env.create` and `env.delete` on a runner; every process that may resume them must do this. */
export function registerLifecycleKinds(runner: OperationRunner, deps: LifecycleKindDeps): void {
  runner.register(envCreateKind(deps));
  runner.register(envDeleteKind(deps));
}

export class LifecycleService {
  constructor(private readonly deps: LifecycleServiceDeps) {}

  /** Starts `env.create`; resolves with the finished operation, rejects at its first failing step. */
  async create(name: string, provider: Provider | string, opts: CreateEnvOptions = {}): Promise<OperationRecord> {
    if (this.deps.readonly) throw new ReadonlyError(ENV_CREATE);
    const spec = validateClusterSpec({ ...opts, name, provider: validateProvider(provider) });
    if (await getCluster(this.deps.db, spec.name)) {
      throw new ConflictError(`cluster "${spec.name}" already exists`,
        `See it with \`fleetdeck clusters show ${spec.name}\`, or choose another name.`, { name: spec.name });
    }
    refuseTakeover(spec.name, spec.provider, await findPreexisting(await this.deps.ports(), spec.name, spec.provider));
    const params: EnvCreateParams = { spec };
    return this.deps.runner.start(ENV_CREATE, spec.name, { ...params });
  }

  /** Starts `env.delete` for an inventory row. */
  async delete(name: string): Promise<OperationRecord> {
    if (this.deps.readonly) throw new ReadonlyError(ENV_DELETE);
    validateClusterName(name);
    const row = await getCluster(this.deps.db, name);
    if (!row) throw new NotFoundError('cluster', name, 'List the inventory with `fleetdeck clusters ls`; `fleetdeck drift` shows parts left without a row.');
    const params: EnvDeleteParams = { name, provider: row.provider };
    return this.deps.runner.start(ENV_DELETE, name, { ...params });
  }
}
