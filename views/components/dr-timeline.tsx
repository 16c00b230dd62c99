import { Text } from 'ink';
import type { PlanRendering } from '../../core/dr/render/plan.js';
import type { ExecutionView } from '../../core/dr/store/types.js';
import { formatCells } from '../format.js';
import { duration, findRendered, PHASE_MARK, PHASE_TONE, progressOf } from '../panels/dr-format.js';
import type { TimelineRow } from '../store/dr-store.js';
import { useTone } from '../theme.js';

const WIDTHS = [18, 13, 8, 9];
export const TIMELINE_TITLES = ['TYPE', 'PHASE', 'ATTEMPTS', 'DURATION', 'ERROR / AFTER'];

function label(row: TimelineRow): string {
  switch (row.kind) {
    case 'stage': return `stage ${row.stage}`;
    case 'workflow': return `  workflow ${row.workflow}`;
    case 'action': return `    ${row.status.action}`;
  }
}

export function timelineNameWidth(rows: readonly TimelineRow[]): number {
  return Math.max(16, Math.min(40, Math.max(0, ...rows.map((row) => label(row).length))));
}

interface TimelineProps {
  view: ExecutionView;
  rows: readonly TimelineRow[];
  /** Index of the first row in `rows` within the whole timeline. */
  start: number;
  selected: number;
  focused: boolean;
  nameWidth: number;
  /** The execution's dry run, for each action's dependencies (the DAG); null while unknown. */
  rendering: PlanRendering | null;
  now: number;
}

/** The visible window of an execution's actions: stage → workflow → action, each action with its phase. */
export function DrTimelineRows({ view, rows, start, selected, focused, nameWidth, rendering, now }: TimelineProps) {
  const tone = useTone();
  return (
    <>
      {rows.map((row, i) => {
        const isSelected = start + i === selected;
        const marker = isSelected ? '>' : ' ';
        const name = label(row).slice(0, nameWidth).padEnd(nameWidth);
        if (row.kind !== 'action') {
          const summary = row.kind === 'stage' ? progressOf(row.actions) : '';
          return (
            <Text key={row.key} wrap="truncate" inverse={isSelected && focused} bold={row.kind === 'stage'} dimColor={row.kind === 'workflow'}>
              {`${marker} ${name}  ${summary}`}
            </Text>
          );
        }
        const s = row.status;
        const phase = `${PHASE_MARK[s.phase] ?? '?'} ${s.phase}`;
        const after = view.kind === 'Execute' && rendering ? findRendered(rendering, s)?.dependsOn ?? [] : [];
        return (
          <Text key={row.key} wrap="truncate" inverse={isSelected && focused}>
            {`${marker} ${name}  ${s.type.padEnd(WIDTHS[0]!)}  `}
            <Text color={tone(PHASE_TONE[s.phase] ?? 'white')} bold={s.phase === 'Failed'}>{phase.padEnd(WIDTHS[1]!)}</Text>
            {`  ${String(s.attempts).padEnd(WIDTHS[2]!)}  ${(duration(s.startedAt, s.finishedAt, now) || '-').padEnd(WIDTHS[3]!)}  `}
            {s.error
              ? <Text color={tone('red')}>{s.error}</Text>
              : <Text dimColor>{after.length > 0 ? `after ${after.join(', ')}` : ''}</Text>}
          </Text>
        );
      })}
    </>
  );
}

export function timelineHeader(nameWidth: number): string {
  return `  ${'ACTION'.padEnd(nameWidth)}  ${formatCells(TIMELINE_TITLES, WIDTHS)}`;
}
