/**
 * Every DR plan fleetdeck can run: the ones stored with `fleetdeck dr apply` and the DRPlan custom resources of the
 * management cluster (and of clusters named with `--cluster`). A plan's workflows come from the same source.
 *
 * Naming: `NAME`, `NAMESPACE/NAME`, or either with a source prefix: `stored:NAME`, `cluster/devops:NAMESPACE/NAME`.
 * A name that matches plans in more than one source (or namespace) is refused with an error listing the qualified
 * names to use instead; nothing is picked silently.
 */
import type { Queryable } from '../../db/database.js';
import { errorMessage, NotFoundError, ValidationError } from '../../errors.js';
import type { KubeGateway } from '../../kube/types.js';
import { namespaceOf, resolveWorkflowRef } from '../schema/load.js';
import type { DRPlan, DRWorkflow } from '../schema/types.js';
import { listPlans, listWorkflows } from '../store/resources.js';
import type { PlanSnapshot } from '../store/types.js';
import { clusterSource, readClusterResources, type InvalidResource } from './cluster-resources.js';

export const STORED_SOURCE = 'stored';

export interface CatalogPlan {
  plan: DRPlan;
  /** `stored` or `cluster/NAME`. */
  source: string;
}

/** A source that could not be read (an unreachable cluster): its plans are missing from the listing. */
export interface SourceProblem {
  source: string;
  message: string;
}

export interface Catalog {
  plans: CatalogPlan[];
  workflows: Map<string, DRWorkflow[]>;
  problems: SourceProblem[];
  invalid: InvalidResource[];
}

export interface CatalogDeps {
  db: Queryable;
  kube(cluster: string): Promise<KubeGateway>;
  /** Clusters whose DRPlan custom resources count, in order (the management cluster first). */
  clusters: readonly string[];
}

export function qualifiedName(source: string, plan: DRPlan): string {
  return `${source}:${namespaceOf(plan)}/${plan.metadata.name}`;
}

export async function loadCatalog(deps: CatalogDeps): Promise<Catalog> {
  const [storedPlans, storedWorkflows] = await Promise.all([listPlans(deps.db), listWorkflows(deps.db)]);
  const catalog: Catalog = {
    plans: storedPlans.map((plan) => ({ plan, source: STORED_SOURCE })),
    workflows: new Map([[STORED_SOURCE, storedWorkflows]]),
    problems: [],
    invalid: [],
  };
  const results = await Promise.all([...new Set(deps.clusters)].map(async (cluster) => {
    try {
      return { cluster, resources: await readClusterResources(await deps.kube(cluster), cluster) };
    } catch (error) {
      return { cluster, error: errorMessage(error) };
    }
  }));
  for (const r of results) {
    const source = clusterSource(r.cluster);
    if ('error' in r) {
      catalog.problems.push({ source, message: r.error ?? 'unreadable' });
      continue;
    }
    catalog.plans.push(...r.resources.plans.map((plan) => ({ plan, source })));
    catalog.workflows.set(source, r.resources.workflows);
    catalog.invalid.push(...r.resources.invalid);
  }
  return catalog;
}

interface ParsedName {
  source?: string;
  namespace?: string;
  name: string;
}

export function parsePlanName(text: string): ParsedName {
  const colon = text.indexOf(':');
  const source = colon >= 0 ? text.slice(0, colon) : undefined;
  const rest = colon >= 0 ? text.slice(colon + 1) : text;
  if (source !== undefined && source !== STORED_SOURCE && !/^cluster\/[^/:]+$/.test(source)) {
    throw new ValidationError(`"${source}" in "${text}" is not a plan source`, 'Prefix a plan with stored: or cluster/NAME: (e.g. cluster/devops:failover-web), or give its name alone.', 'plan');
  }
  const slash = rest.indexOf('/');
  return slash >= 0 ? { ...(source ? { source } : {}), namespace: rest.slice(0, slash), name: rest.slice(slash + 1) } : { ...(source ? { source } : {}), name: rest };
}

/** The one plan a name designates, with its source; refuses unknown and ambiguous names. */
export function resolvePlan(catalog: Catalog, text: string): CatalogPlan {
  const wanted = parsePlanName(text);
  const matches = catalog.plans.filter((p) => p.plan.metadata.name === wanted.name
    && (wanted.namespace === undefined || namespaceOf(p.plan) === wanted.namespace)
    && (wanted.source === undefined || p.source === wanted.source));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    const names = matches.map((m) => qualifiedName(m.source, m.plan));
    const sources = new Set(matches.map((m) => m.source));
    throw new ValidationError(
      sources.size > 1
        ? `DR plan "${text}" is ambiguous: it exists both ${matches.map((m) => (m.source === STORED_SOURCE ? 'as a stored plan' : `as a DRPlan custom resource in ${m.source.slice('cluster/'.length)}`)).join(' and ')}`
        : `DR plan "${text}" exists in several namespaces`,
      `Name the one you mean: ${names.join(', ')}.`, 'plan');
  }
  const invalid = catalog.invalid.find((i) => i.kind === 'DRPlan' && i.name === wanted.name && (wanted.namespace === undefined || i.namespace === wanted.namespace));
  if (invalid) throw new ValidationError(invalid.message, 'Fix the custom resource (kubectl edit drplan …) and try again; nothing was run.', 'plan');
  const unreadable = catalog.problems.map((p) => `${p.source}: ${p.message}`).join('; ');
  throw new NotFoundError('DR plan', text,
    `List plans with \`fleetdeck dr ls\`, or store one with \`fleetdeck dr apply -f FILE\`${unreadable ? `. Not searched, unreachable: ${unreadable}` : ''}.`);
}

/** The plan with the workflows it references, all from the plan's source. */
export function snapshotOf(catalog: Catalog, entry: CatalogPlan): PlanSnapshot {
  const { plan, source } = entry;
  const available = catalog.workflows.get(source) ?? [];
  const refs = new Set(plan.spec.stages.flatMap((s) => s.workflows.map((w) => { const r = resolveWorkflowRef(plan, w.workflowRef); return `${r.namespace}/${r.name}`; })));
  const workflows = available.filter((w) => refs.has(`${namespaceOf(w)}/${w.metadata.name}`));
  const found = new Set(workflows.map((w) => `${namespaceOf(w)}/${w.metadata.name}`));
  const missing = [...refs].filter((r) => !found.has(r));
  if (missing.length > 0) {
    const where = source === STORED_SOURCE ? 'among the stored workflows' : `as DRWorkflow custom resources in ${source.slice('cluster/'.length)}`;
    throw new ValidationError(`DR plan "${qualifiedName(source, plan)}" references ${missing.map((m) => `DRWorkflow "${m}"`).join(', ')}, not found ${where}`,
      source === STORED_SOURCE ? 'Apply the workflows first (fleetdeck dr apply -f FILE).' : 'Create the DRWorkflow in the same cluster (kubectl apply -f …).', 'plan');
  }
  return { plan, workflows };
}
