/**
 * DR executor overhead: a 1,000-action DAG of no-op actions with fan-out 10 (action i waits for action
 * floor((i-1)/10)) on a real PostgreSQL server, beside the same 1,000 actions run sequentially. Each sample times
 * what a user waits for: creating the execution (the full dry run, the snapshot and 1,000 Pending statuses) and
 * running it to its end, persistence included (every status write fenced by the lease). Median of several samples.
 * Budget: ≤ 2 ms of engine overhead per action.
 */
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { migrate } from '../core/db/migrate.js';
import { PgDatabase } from '../core/db/pg-database.js';
import { NOOP_HANDLER } from '../core/dr/actions/index.js';
import { DrService } from '../core/dr/dr-service.js';
import type { Action } from '../core/dr/schema/types.js';
import { FleetError } from '../core/errors.js';
import { benchServer, fmt, freshDatabase, median } from './support.js';

const ACTIONS = 1000;
const FAN_OUT = 10;
const SAMPLES = 5;
const BUDGET_MS = 2;

function planYaml(name: string, dag: boolean): string {
  const actions: Action[] = Array.from({ length: ACTIONS }, (_, i) => ({
    name: `a${i}`, type: 'HTTP', http: { url: `http://127.0.0.1:9/${i}` },
    ...(dag && i > 0 ? { dependsOn: [`a${Math.floor((i - 1) / FAN_OUT)}`] } : {}),
  }));
  const workflow = { apiVersion: 'dr.bkbcs.tencent.com/v1alpha1', kind: 'DRWorkflow', metadata: { name }, spec: { actions } };
  const plan = { apiVersion: 'dr.bkbcs.tencent.com/v1alpha1', kind: 'DRPlan', metadata: { name }, spec: { stages: [{ name: 'main', workflows: [{ workflowRef: { name } }] }] } };
  return `${stringify(workflow)}---\n${stringify(plan)}`;
}

export async function benchDrDag(): Promise<void> {
  const server = await benchServer();
  const db = new PgDatabase(await freshDatabase(server.serverUrl));
  try {
    await migrate(db);
    const dr = new DrService({
      db, actor: { user: 'bench', host: 'bench' }, readonly: false, handlers: { HTTP: NOOP_HANDLER }, secrets: null, planClusters: [],
      kube: async () => { throw new FleetError('UNAVAILABLE', 'no cluster in this benchmark', 'none'); },
    });
    await dr.apply(planYaml('dag', true), 'dag.yaml');
    await dr.apply(planYaml('seq', false), 'seq.yaml');
    /** Create + run to the end, in ms; and the part spent creating. */
    const measure = async (plan: string, parallelism: number): Promise<{ total: number; create: number }> => {
      const start = performance.now();
      const execution = await dr.startExecute(plan);
      const created = performance.now();
      const outcome = await dr.run(execution.id, { parallelism });
      const total = performance.now() - start;
      if (outcome.execution.phase !== 'Succeeded') throw new Error(`${plan} ended ${outcome.execution.phase}`);
      return { total, create: created - start };
    };
    await measure('seq', 1); // warm-up
    await measure('dag', FAN_OUT);
    const dag: { total: number; create: number }[] = [];
    const seq: { total: number; create: number }[] = [];
    // Interleaved, so drift on a shared machine hits both alike.
    for (let i = 0; i < SAMPLES; i += 1) {
      dag.push(await measure('dag', FAN_OUT));
      seq.push(await measure('seq', 1));
    }
    const dagMs = median(dag.map((s) => s.total));
    const seqMs = median(seq.map((s) => s.total));
    const perDag = dagMs / ACTIONS;
    const perSeq = seqMs / ACTIONS;
    console.log(`dr-dag: ${ACTIONS} no-op actions, fan-out ${FAN_OUT}, real PostgreSQL, create + run, persistence included; median of ${SAMPLES}`);
    console.log(`  DAG (parallelism ${FAN_OUT}): ${fmt(dagMs, 0)} ms total (create ${fmt(median(dag.map((s) => s.create)), 0)} ms), ${fmt(perDag, 3)} ms/action  [samples ${dag.map((s) => fmt(s.total, 0)).join(', ')}]`);
    console.log(`  sequential:              ${fmt(seqMs, 0)} ms total (create ${fmt(median(seq.map((s) => s.create)), 0)} ms), ${fmt(perSeq, 3)} ms/action  [samples ${seq.map((s) => fmt(s.total, 0)).join(', ')}]`);
    console.log(`  ratio DAG/sequential: ${fmt(dagMs / seqMs, 2)}`);
    console.log(`  budget ≤ ${BUDGET_MS} ms/action: DAG ${perDag <= BUDGET_MS ? 'ok' : 'OVER'} (${fmt(perDag, 3)}), sequential ${perSeq <= BUDGET_MS ? 'ok' : 'OVER'} (${fmt(perSeq, 3)})`);
  } finally {
    await db.close();
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchDrDag();
