/**
 * Seeds the sandbox with the sample DR plans (core/dr/examples): Clusternet CRDs in the management cluster, the
 * namespaces the plans write to, and the plans and workflows applied into the database. Idempotent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../../../core/engine.js';
import { FleetError } from '../../../core/errors.js';
import { MANAGEMENT_CLUSTER } from '../../../core/fleet.js';
import { packageRoot } from '../../../core/paths.js';
import { drServiceFor } from '../../../core/dr/dr-service.js';
import { ensureClusternetCrds } from './clusternet-crds.js';

export const DR_EXAMPLES_DIR = join(packageRoot(), 'core', 'dr', 'examples');
const NAMESPACES = ['production', 'clusternet-dr'];

export async function seedDrPlans(engine: Engine): Promise<{ plans: string[] }> {
  const kube = await (await engine.fleet()).kube(MANAGEMENT_CLUSTER);
  await ensureClusternetCrds(kube);
  for (const name of NAMESPACES) {
    try {
      if (!(await kube.find({ apiVersion: 'v1', kind: 'Namespace', name }))) await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    } catch (error) {
      if (!(error instanceof FleetError && error.code === 'CONFLICT')) throw error;
    }
  }
  const dr = drServiceFor(engine);
  const plans: string[] = [];
  for (const file of readdirSync(DR_EXAMPLES_DIR).filter((f) => f.endsWith('.yaml')).sort()) {
    const applied = await dr.apply(readFileSync(join(DR_EXAMPLES_DIR, file), 'utf8'), file);
    plans.push(...applied.plans);
  }
  return { plans };
}
