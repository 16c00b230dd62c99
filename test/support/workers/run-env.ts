/**
 * Runs `env.create`, `env.delete` or applies a repair plan in its own process for kill -9 tests. With `pause`
 * ("<step>:before" or "<step>:after") it hangs at that step checkpoint after printing "paused"; without it, the
 * test makes an effect hang (a fake tool, a Git hook, the HAProxy reload) and watches a marker file instead.
 * argv: one JSON object (see RunEnvArgs).
 */
import { resolveConfig } from '../../../core/config.js';
import { createFleetServices } from '../../../core/drift/fleet-services.js';
import { createEngine } from '../../../core/engine.js';
import { buildPorts, type TestFleetSetup } from '../../core/lifecycle/support/test-fleet.js';

interface RunEnvArgs {
  databaseUrl: string;
  setup: TestFleetSetup;
  mode: 'create' | 'delete' | 'repair';
  /** The environment, or the plan id for `repair`. */
  name: string;
  provider: 'k3d' | 'kind';
  pause?: string;
}

const args = JSON.parse(process.argv[2]!) as RunEnvArgs;
const engine = await createEngine(resolveConfig({ databaseUrl: args.databaseUrl }, { HOME: '/nonexistent' }), { migrate: false });
const ports = buildPorts(args.setup);
const services = createFleetServices({
  db: engine.db, relay: engine.relay, actor: engine.actor, readonly: false, runner: engine.operations, ranges: engine.config.ranges,
  ports: async () => ports, collect: { probeApi: false },
  checkpoint: async (step, phase) => {
    if (`${step}:${phase}` !== args.pause) return;
    process.stdout.write('paused\n');
    await new Promise(() => undefined);
  },
});
if (args.mode === 'create') await services.lifecycle.create(args.name, args.provider);
else if (args.mode === 'delete') await services.lifecycle.delete(args.name);
else await services.drift.apply(args.name);
process.stdout.write('finished\n');
await engine.close();
