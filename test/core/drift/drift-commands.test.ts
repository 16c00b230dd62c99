/** The `drift`, `repair` and `env` commands over an engine whose fleet is the test fleet (exit codes and output). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../core/config.js';
import { createEngine, type Engine } from '../../../core/engine.js';
import type { Fleet } from '../../../core/fleet.js';
import type { KubeGateway } from '../../../core/kube/types.js';
import { parseArgs } from '../../../src/cli/args.js';
import { driftCommands } from '../../../src/cli/commands/drift.js';
import { envCommands } from '../../../src/cli/commands/env.js';
import type { Command, CommandContext } from '../../../src/cli/context.js';
import { openTestDatabase, type TestDatabase } from '../../support/databases.js';
import { TEST_ACTOR } from '../../support/engine.js';
import { openTestFleet, type TestFleet } from '../lifecycle/support/test-fleet.js';

describe('drift, repair and env commands', () => {
  let fleet: TestFleet;
  let test: TestDatabase;
  let engine: Engine;

  beforeEach(async () => {
    fleet = await openTestFleet();
    test = await openTestDatabase('postgres');
    const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-data-'));
    const asFleet: Fleet = {
      ...fleet.ports, sandbox: false, close: async () => undefined,
      kube: async () => { throw new Error('no kube gateways in this test'); },
    } as Fleet & { kube(name: string): Promise<KubeGateway> };
    engine = await createEngine(resolveConfig({ dataDir }, { HOME: dataDir }), { db: test.db, actor: TEST_ACTOR, fleet: async () => asFleet });
  });
  afterEach(async () => {
    await engine.close();
    await test.close();
    await fleet.close();
  });

  async function run(commands: Command[], argv: string[]): Promise<{ code: number; out: string }> {
    const args = parseArgs(argv);
    const command = commands.find((c) => c.path.every((word, i) => args.positionals[i] === word))!;
    let out = '';
    const ctx: CommandContext = {
      args, operands: args.positionals.slice(command.path.length), json: args.flags.get('json') === true,
      config: engine.config, engine: async () => engine, out: (t) => { out += `${t}\n`; }, err: (t) => { out += `${t}\n`; },
      readStdin: async () => '',
    };
    return { code: await command.run(ctx), out };
  }

  it('creates, reports drift with exit 3, plans, applies and reports clean with exit 0', async () => {
    expect((await run(envCommands, ['env', 'create', 'dev', '--provider', 'kind', '--portainer', 'no'])).code).toBe(0);
    expect((await run(driftCommands, ['drift'])).code).toBe(0);
    await fleet.ports.git.deleteBranch('dev');
    const found = await run(driftCommands, ['drift']);
    expect(found.code).toBe(3);
    expect(found.out).toContain('missing_branch:dev');
    expect(found.out).toContain('fleetdeck repair --plan');
    const planned = await run(driftCommands, ['repair', '--plan', '--json']);
    const plan = JSON.parse(planned.out) as { id: string; actions: unknown[] };
    expect(plan.actions).toEqual([{ type: 'create_branch', cluster: 'dev' }]);
    expect((await run(driftCommands, ['repair', '--apply', plan.id])).code).toBe(0);
    expect((await run(driftCommands, ['drift', '--json'])).code).toBe(0);
    await expect(run(envCommands, ['env', 'delete', 'dev'])).rejects.toMatchObject({ code: 'VALIDATION' });
    expect((await run(envCommands, ['env', 'delete', 'dev', '--confirm', 'dev'])).code).toBe(0);
  });

  it('exits 1 when a system could not be checked and nothing else drifted', async () => {
    await fleet.portainer.close();
    const result = await run(driftCommands, ['drift']);
    expect(result.code).toBe(1);
    expect(result.out).toContain('could not check registrar:portainer');
  });
});
