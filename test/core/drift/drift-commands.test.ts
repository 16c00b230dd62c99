/** The `drift`, `repair` and `env` commands over an engine whose fleet is the test fleet (exit codes and output). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { resolveConfig } from '../../../core/config.js';
import { createEngine, type Engine } from '../../../core/engine.js';
import type { Fleet } from '../../../core/fleet.js';
import type { KubeGateway } from '../../../core/kube/types.js';
import { parseArgs } from '../../../src/cli/args.js';
import { driftCommands } from '../../../src/cli/commands/drift.js';
import { envCommands } from '../../../src/cli/commands/env.js';
import { opsCommands } from '../../../src/cli/commands/ops.js';
import { FleetError } from '../../../core/errors.js';
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
    // The engine probes API servers: give the kind cluster's published API port something that answers.
    const api: Server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    fleet.tools.writeState({ k3d: {}, kind: {}, nextKindApiPort: (api.address() as AddressInfo).port });
    onTestFinished(() => new Promise<void>((resolve) => api.close(() => resolve())));
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
    const applied = await run(driftCommands, ['repair', '--apply', plan.id]);
    expect(applied.code).toBe(0);
    expect(applied.out).toMatch(/✓  1\. create_branch dev\s+succeeded/);
    expect(applied.out).not.toContain('1. 1.');
    expect((await run(driftCommands, ['drift', '--json'])).code).toBe(0);
    await expect(run(envCommands, ['env', 'delete', 'dev'])).rejects.toMatchObject({ code: 'VALIDATION' });
    expect((await run(envCommands, ['env', 'delete', 'dev', '--confirm', 'dev'])).code).toBe(0);
  });

  it('exits 1 when a system could not be checked, even when it found drift too, and names the system in JSON', async () => {
    await fleet.ports.git.ensureBranch({ ...(await engine.inventory.add({ name: 'tmp', provider: 'kind' })), name: 'legacy' });
    await engine.inventory.remove('tmp');
    await fleet.portainer.close();
    const result = await run(driftCommands, ['drift']);
    expect(result.code).toBe(1);
    expect(result.out).toContain('could not check registrar:portainer');
    expect(result.out).toContain('orphan_branch:legacy');
    expect(result.out).toContain('may be incomplete');
    const json = await run(driftCommands, ['drift', '--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.out) as { items: { id: string }[]; unchecked: { source: string; error: string; hint: string }[] };
    expect(report.items.map((i) => i.id)).toEqual(['orphan_branch:legacy']);
    expect(report.unchecked).toEqual([{ source: 'registrar:portainer', error: expect.stringContaining('unreachable'), hint: expect.any(String) }]);
  });

  it('lists a delete whose Git step failed as done with a warning', async () => {
    await engine.lifecycle.create('dev', 'k3d');
    const realDelete = fleet.ports.git.deleteBranch.bind(fleet.ports.git);
    fleet.ports.git.deleteBranch = async () => {
      throw new FleetError('UNAVAILABLE', 'the Git remote answered 503', 'Check the Git service.');
    };
    onTestFinished(() => { fleet.ports.git.deleteBranch = realDelete; });
    expect((await run(envCommands, ['env', 'delete', 'dev', '--yes'])).code).toBe(0);
    const listed = await run(opsCommands, ['ops', 'ls']);
    expect(listed.out).toMatch(/env\.delete\s+dev\s+succeeded \(1 warning\)\s+6\/6/);
    const shown = await run(opsCommands, ['ops', 'show', listed.out.match(/^(\d+)\s+env\.delete/m)![1]!]);
    expect(shown.out).toMatch(/! {2}5\. git-branch\s+warning: the Git remote answered 503/);
  });
});
