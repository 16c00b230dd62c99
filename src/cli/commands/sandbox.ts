import { rmSync } from 'node:fs';
import { embeddedDir } from '../../../core/config.js';
import { FleetError } from '../../../core/errors.js';
import { sandboxInUse } from '../../sandbox/world/liveness.js';
import type { SandboxHost } from '../../sandbox/world/host.js';
import type { SandboxFleet } from '../../sandbox/world/sandbox-fleet.js';
import type { WorldLayout } from '../../sandbox/world/world-file.js';
import { contextOf, readWorld, serverUrlOf, worldClusters, worldLayout } from '../../sandbox/world/world-file.js';
import type { Command, CommandContext } from '../context.js';
import { printJson } from '../context.js';
import { renderTable } from '../table.js';

function describeWorld(layout: WorldLayout): { kubeconfig: string; clusters: { name: string; context: string; url: string }[] } {
  const world = readWorld(layout)!;
  return {
    kubeconfig: layout.kubeconfig,
    clusters: worldClusters(world).map((c) => ({ name: c.name, context: contextOf(c), url: serverUrlOf(c) })),
  };
}

/**
 * The world's API servers, hosted from this process unless another hosts them. A world not built yet is built
 * (and seeded) through the engine; a built one is hosted without opening the database, so it answers sooner.
 */
async function hostWorld(ctx: CommandContext): Promise<{ host: SandboxHost; close(): Promise<void> }> {
  const layout = worldLayout(ctx.config.dataDir);
  if (!readWorld(layout)?.seeded) {
    const fleet = (await (await ctx.engine()).fleet()) as SandboxFleet;
    return { host: fleet.host, close: async () => undefined };
  }
  const { serveSandboxWorld } = await import('../../sandbox/world/serve-world.js');
  return serveSandboxWorld(ctx.config.dataDir, (line) => ctx.err(line));
}

const serve: Command = {
  path: ['sandbox', 'serve'], usage: 'fleetdeck sandbox serve', summary: 'host the sandbox world\'s API servers until interrupted', flags: [],
  async run(ctx) {
    const served = await hostWorld(ctx);
    try {
      const info = describeWorld(worldLayout(ctx.config.dataDir));
      if (ctx.json) printJson(ctx, { ...info, hosting: served.host.isHost });
      else {
        ctx.out(renderTable(['CLUSTER', 'CONTEXT', 'SERVER'], info.clusters.map((c) => [c.name, c.context, c.url])));
        ctx.out(`\nexport KUBECONFIG=${info.kubeconfig}`);
        ctx.out(served.host.isHost ? 'Serving the sandbox world. Press ctrl-c to stop.'
          : 'Another fleetdeck process serves the sandbox world; this one takes over if it exits. Press ctrl-c to stop.');
      }
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    } finally {
      await served.close();
    }
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
    await (await ctx.engine()).fleet();
    const info = describeWorld(layout);
    if (ctx.json) printJson(ctx, info);
    else ctx.out(`Built a fresh sandbox world with ${info.clusters.length} clusters.\nexport KUBECONFIG=${info.kubeconfig}`);
    return 0;
  },
};

export const sandboxCommands: Command[] = [serve, reset];
