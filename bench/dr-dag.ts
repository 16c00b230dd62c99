/**
 * DR executor overhead: a 1,000-action DAG of no-op actions with fan-out 10 (action i waits for action
 * floor((i-1)/10)) on a real PostgreSQL server, persistence included (two statements per action), beside the same
 * 1,000 actions run sequentially. Budget: ≤ 2 ms of engine overhead per action.
 */
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { migrate } from '../core/db/migrate.js';
import { PgDatabase } from '../core/db/pg-database.js';
import { NOOP_HANDLER } from '../core/dr/actions/index.js';
import { DrService } from '../core/dr/dr-service.js';
import type { Action } from '../core/dr/schema/types.js';
import { FleetError } from '../core/errors.js';
import { benchServer, fmt, freshDatabase } from './support.js';

const ACTIONS = 1000;
const FAN_OUT = 10;

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
      db, actor: { user: 'bench', host: 'bench' }, readonly: false, handlers: { HTTP: NOOP_HANDLER },
      kube: async () => { throw new FleetError('UNAVAILABLE', 'no cluster in this benchmark', 'none'); },
    });
    await dr.apply(planYaml('dag', true), 'dag.yaml');
    await dr.apply(planYaml('seq', false), 'seq.yaml');
    const measure = async (plan: string, parallelism: number): Promise<number> => {
      const execution = await dr.startExecute(plan);
      const start = performance.now();
      const outcome = await dr.run(execution.id, { parallelism });
      const ms = performance.now() - start;
      if (outcome.execution.phase !== 'Succeeded') throw new Error(`${plan} ended ${outcome.execution.phase}`);
      return ms;
    };
    await measure('seq', 1); // warm-up
    const dag = await measure('dag', FAN_OUT);
    const seq = await measure('seq', 1);
    const perDag = dag / ACTIONS;
    const perSeq = seq / ACTIONS;
    console.log(`dr-dag: ${ACTIONS} no-op actions, fan-out ${FAN_OUT}, real PostgreSQL, persistence included`);
    console.log(`  DAG (parallelism ${FAN_OUT}): ${fmt(dag, 0)} ms total, ${fmt(perDag, 3)} ms/action  (budget 2 ms: ${perDag <= 2 ? 'ok' : 'OVER'})`);
    console.log(`  sequential:              ${fmt(seq, 0)} ms total, ${fmt(perSeq, 3)} ms/action`);
    console.log(`  ratio DAG/sequential: ${fmt(dag / seq, 2)}`);
  } finally {
    await db.close();
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchDrDag();
