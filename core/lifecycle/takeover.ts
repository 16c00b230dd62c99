/**
 * What already exists under an environment's name before `env.create` touches anything. A branch or a cluster of
 * that name without an inventory row belongs to someone else (or to an earlier, lost run): creating over it would
 * silently take it over, and undoing the create would then delete it. Such leftovers are adopted (or archived)
 * through `fleetdeck repair` instead.
 */
import { ConflictError } from '../errors.js';
import type { Provider } from '../inventory/types.js';
import type { FleetPorts } from './ports.js';

/** What exists under an environment's name outside the inventory. */
export interface Preexisting {
  branch: boolean;
  cluster: boolean;
}

export async function findPreexisting(ports: FleetPorts, name: string, provider: Provider): Promise<Preexisting> {
  const [branches, live] = await Promise.all([ports.git.listBranches(), ports.providers[provider].list()]);
  return { branch: branches.has(name), cluster: live.some((c) => c.name === name) };
}

/** Refuses to create over a branch or cluster that exists without an inventory row. */
export function refuseTakeover(name: string, provider: Provider, found: Preexisting): void {
  const parts = [found.cluster ? `a ${provider} cluster` : null, found.branch ? 'a Git branch' : null].filter((p): p is string => p !== null);
  if (parts.length === 0) return;
  const drift = found.cluster ? `orphan_cluster:${name}` : `orphan_branch:${name}`;
  throw new ConflictError(`${parts.join(' and ')} named "${name}" already exist${parts.length === 1 ? 's' : ''} but ${name} is not in the inventory`,
    found.cluster
      ? `Adopt it with \`fleetdeck repair --plan --only ${drift}\` then \`fleetdeck repair --apply PLAN-ID\` (or delete it with --delete), or choose another name.`
      : `Archive it with \`fleetdeck repair --plan --only ${drift}\` then \`fleetdeck repair --apply PLAN-ID\`, or choose another name.`,
    { name, cluster: found.cluster, branch: found.branch });
}
