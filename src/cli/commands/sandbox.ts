import { rmSync } from 'node:fs';
import { embeddedDir } from '../../../core/config.js';
import { FleetError } from '../../../core/errors.js';
import { sandboxInUse } from '../../sandbox/world/liveness.js';
import type { SandboxFleet } from '../../sandbox/world/sandbox-fleet.js';
import { readWorld, worldLayout } from '../../sandbox/world/world-file.js';
import type { Command } from '../context.js';
import { printJson } from '../context.js';
import { renderTable } from '../table.js';

function describeWorld(fleet: SandboxFleet): { kubeconfig: string; clusters: { name: string; context: string; url: string }[] } {
  const world = readWorld(fleet.layout)!;
  return {
    kubeconfig: fleet.layout.kubeconfig,
    clusters: [world.management, ...world.clusters].map((c) => ({ name: c.name, context: `${c.provider}-${c.name}`, url: `http://127.0.0.1:${c.port}` })),
  };
}

const serve: Command = {
  path: ['sandbox', 'serve'], usage: 'fleetdeck sandbox serve', summary: 'host the sandbox world\'s API servers until interrupted', flags: [],
  async run(ctx) {
    const fleet = (await (await ctx.engine()).fleet()) as SandboxFleet;
    const info = describeWorld(fleet);
    if (ctx.json) printJson(ctx, { ...info, hosting: fleet.host.isHost });
    else {
      ctx.out(renderTable(['CLUSTER', 'CONTEXT', 'SERVER'], info.clusters.map((c) => [c.name, c.context, c.url])));
      ctx.out(`\nexport KUBECONFIG=${info.kubeconfig}`);
      ctx.out(fleet.host.isHost ? 'Serving the sandbox world. Press ctrl-c to stop.'
        : 'Another fleetdeck process serves the sandbox world; this one takes over if it exits. Press ctrl-c to stop.');
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    return 0;
  },
};

const reset: Command = {
  path: ['sandbox', 'reset'], usage: 'fleetdeck sandbox reset', summary: 'throw the sandbox world away and build it afresh', flags: [],
  async run(ctx) {
    const layout = worldLayout(ctx.config.dataDir);
    if (await sandboxInUse(layout.root, embeddedDir(ctx.config))) {
      throw new FleetError('CONFLICT', 'another fleetdeck process is using the sandbox world',
        'Quit the cockpit or `sandbox serve` that uses it, then run `fleetdeck sandbox reset` again.');
    }
    rmSync(layout.root, { recursive: true, force: true });
    const fleet = (await (await ctx.engine()).fleet()) as SandboxFleet;
    const info = describeWorld(fleet);
    if (ctx.json) printJson(ctx, info);
    else ctx.out(`Built a fresh sandbox world with ${info.clusters.length} clusters.\nexport KUBECONFIG=${info.kubeconfig}`);
    return 0;
  },
};

export const sandboxCommands: Command[] = [serve, reset];
