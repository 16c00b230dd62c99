/**
 * Seeds the sandbox with the sample DR plans (core/dr/examples): Clusternet and DR CRDs in the management cluster,
 * the namespaces and feed objects the plans use, the plans and workflows applied into the database, and one plan
 * (examples/custom-resources) created as DRPlan/DRWorkflow custom resources in the management cluster. Idempotent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Engine } from '../../../core/engine.js';
import { FleetError } from '../../../core/errors.js';
import { MANAGEMENT_CLUSTER } from '../../../core/fleet.js';
import type { KubeGateway, KubeObject } from '../../../core/kube/types.js';
import { packageRoot } from '../../../core/paths.js';
import { drServiceFor } from '../../../core/dr/dr-service.js';
import { ensureClusternetCrds } from './clusternet-crds.js';
import { ensureDrCrds } from './dr-crds.js';
import { drSecretsFor } from './secrets.js';

export const DR_EXAMPLES_DIR = join(packageRoot(), 'core', 'dr', 'examples');
export const DR_CUSTOM_RESOURCES_DIR = join(DR_EXAMPLES_DIR, 'custom-resources');
const NAMESPACES = ['production', 'clusternet-dr'];

/** The objects the sample plans' Localizations and Subscriptions feed from (the sandbox's Clusternet checks they exist). */
const FEEDS: KubeObject[] = [
  ...['production', 'default'].map((namespace): KubeObject => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace, labels: { app: 'web' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
  })),
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'db-endpoint', namespace: 'default' }, data: { host: 'db.primary.svc' } },
];

async function ensure(kube: KubeGateway, object: KubeObject): Promise<void> {
  const ref = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name ?? '', ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}) };
  try {
    if (!(await kube.find(ref))) await kube.create(object);
  } catch (error) {
    if (!(error instanceof FleetError && error.code === 'CONFLICT')) throw error;
  }
}

/** Creates the DR custom resources of a YAML file in a cluster (what `kubectl apply -f FILE` would do). */
export async function createDrCustomResources(kube: KubeGateway, text: string): Promise<string[]> {
  const created: string[] = [];
  for (const doc of parseAllDocuments(text)) {
    const object = doc.toJS() as KubeObject | null;
    if (!object) continue;
    await ensure(kube, { ...object, metadata: { namespace: 'default', ...object.metadata } });
    created.push(`${object.kind}/${object.metadata.name ?? '?'}`);
  }
  return created;
}

export async function seedDrPlans(engine: Engine): Promise<{ plans: string[]; customResources: string[] }> {
  const kube = await (await engine.fleet()).kube(MANAGEMENT_CLUSTER);
  await ensureClusternetCrds(kube);
  await ensureDrCrds(kube);
  for (const name of NAMESPACES) await ensure(kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  for (const feed of FEEDS) await ensure(kube, feed);
  const dr = drServiceFor(engine, { secrets: drSecretsFor(engine) });
  const plans: string[] = [];
  for (const file of readdirSync(DR_EXAMPLES_DIR).filter((f) => f.endsWith('.yaml')).sort()) {
    const applied = await dr.apply(readFileSync(join(DR_EXAMPLES_DIR, file), 'utf8'), file);
    plans.push(...applied.plans);
  }
  const customResources: string[] = [];
  for (const file of readdirSync(DR_CUSTOM_RESOURCES_DIR).filter((f) => f.endsWith('.yaml')).sort()) {
    customResources.push(...await createDrCustomResources(kube, readFileSync(join(DR_CUSTOM_RESOURCES_DIR, file), 'utf8')));
  }
  return { plans, customResources };
}
