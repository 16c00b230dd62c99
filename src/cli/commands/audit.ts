import { listAudit } from '../../../core/audit/audit-log.js';
import { flagInt } from '../args.js';
import type { Command } from '../context.js';
import { printJson } from '../context.js';
import { renderTable } from '../table.js';

export const auditCommand: Command = {
  path: ['audit'], usage: 'fleetdeck audit [--limit N] [--json]', summary: 'show the audit log, newest first', flags: ['limit'],
  async run(ctx) {
    const entries = await listAudit((await ctx.engine()).db, flagInt(ctx.args, 'limit') ?? 50);
    if (ctx.json) printJson(ctx, entries);
    else ctx.out(renderTable(['ID', 'AT', 'WHO', 'ACTION', 'TARGET', 'RESULT'],
      entries.map((e) => [String(e.id), e.at, `${e.actor}@${e.host}`, e.action, e.target ?? '-', e.result])));
    return 0;
  },
};
