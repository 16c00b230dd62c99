/**
 * Runs `env.create` or `env.delete` in its own process for kill -9 tests, pausing forever at one step checkpoint
 * ("<step>:before" or "<step>:after") after printing "paused". argv: one JSON object (see RunEnvArgs).
 */
import { resolveConfig } from '../../../core/config.js';
import { createFleetServices } from '../../../core/drift/fleet-services.js';
import { createEngine } from '../../../core/engine.js';
import { buildPorts, type TestFleetSetup } from '../../core/lifecycle/support/test-fleet.js';

interface RunEnvArgs {
  databaseUrl: string;
  setup: TestFleetSetup;
  mode: 'create' | 'delete';
  name: string;
  provider: 'k3d' | 'kind';
  pause: string;
}

const args = JSON.parse(process.argv[2]!) as RunEnvArgs;
const engine = await createEngine(resolveConfig({ databaseUrl: args.databaseUrl }, { HOME: '/nonexistent' }), { migrate: false });
const ports = buildPorts(args.setup);
const services = createFleetServices({
  db: engine.db, relay: engine.relay, actor: engine.actor, readonly: false, runner: engine.operations, ranges: engine.config.ranges,
  ports: async () => ports,
  checkpoint: async (step, phase) => {
    if (`${step}:${phase}` !== args.pause) return;
    process.stdout.write('paused\n');
    await new Promise(() => undefined);
  },
});
if (args.mode === 'create') await services.lifecycle.create(args.name, args.provider);
else await services.lifecycle.delete(args.name);
process.stdout.write('finished\n');
await engine.close();
