import { PANEL_IDS } from '../../views/panel-id.js';
import type { PanelId } from '../../views/panel-id.js';
import type { CockpitStatus } from '../../views/source.js';

/** The panel bar's titles (views/panels/registry.ts has the same; a test keeps them equal). */
export const SPLASH_TITLES: Record<PanelId, string> = { clusters: 'Clusters', drift: 'Drift', installs: 'Installs', dr: 'DR', apps: 'Apps' };

interface Style {
  bold?: boolean;
  inverse?: boolean;
  dim?: boolean;
  /** SGR foreground code (36 cyan, 33 yellow, 35 magenta); dropped under NO_COLOR, as the theme does. */
  fg?: number;
}

type Span = readonly [text: string, style?: Style];

function styled(text: string, style: Style | undefined, color: boolean): string {
  if (!style) return text;
  const on = [style.bold ? '1' : '', style.dim ? '2' : '', style.inverse ? '7' : '', color && style.fg ? String(style.fg) : '']
    .filter(Boolean);
  return on.length === 0 ? text : `\x1b[${on.join(';')}m${text}\x1b[0m`;
}

/** One line of spans, cut at `columns` visible characters. */
function line(spans: readonly Span[], columns: number, color: boolean): string {
  let room = columns;
  let out = '';
  for (const [text, style] of spans) {
    if (room <= 0) break;
    const part = [...text].slice(0, room).join('');
    room -= [...part].length;
    out += styled(part, style, color);
  }
  return out;
}

/**
 * The cockpit's first frame, drawn without Ink: loading Ink and React takes most of a second on a busy
 * machine, and the database takes longer still. It has the real frame's panel bar on the first line and
 * its status line in the same place, saying the database is opening; Ink's first frame replaces it.
 */
export function splashFrame(status: CockpitStatus, size: { rows: number; columns: number }, color: boolean): string {
  const frameHeight = Math.max(6, size.rows - 1);
  const bar: Span[] = [['fleetdeck ', { bold: true, fg: 36 }]];
  PANEL_IDS.forEach((id, index) => {
    bar.push(index === 0 ? [`[${index + 1} ${SPLASH_TITLES[id]}]`, { inverse: true, bold: true }] : [` ${index + 1} ${SPLASH_TITLES[id]} `]);
  });
  const statusSpans: Span[] = [];
  if (status.sandbox) statusSpans.push([' SANDBOX ', { inverse: true, bold: true, fg: 33 }], [' ']);
  if (status.managementCluster) statusSpans.push([`management cluster ${status.managementCluster} │ `, { dim: true }]);
  if (status.readonly) statusSpans.push([' READ-ONLY ', { inverse: true, bold: true, fg: 35 }], [' ']);
  statusSpans.push(['db ', { dim: true }], [status.databaseTarget]);
  const rows = new Map<number, string>([
    [1, line(bar, size.columns, color)],
    [3, line([['   loading the inventory…', { dim: true }]], size.columns, color)],
    [frameHeight - 1, line(statusSpans, size.columns, color)],
  ]);
  return [...rows].map(([row, text]) => `\x1b[${row};1H${text}`).join('');
}
