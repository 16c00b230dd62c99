import { Box, Text } from 'ink';
import { useRef } from 'react';
import type { DriftItem, DriftReport } from '../../core/drift/types.js';
import { useCockpit, useCockpitContext } from '../context.js';
import { age } from '../format.js';
import { windowStart } from '../store/cluster-view.js';
import { useTone } from '../theme.js';
import type { PanelBodyProps } from './panel-definition.js';

interface Line {
  key: string;
  text: string;
  role: 'group' | 'item' | 'repair';
  item: number;
}

/** Two lines per item under a header per kind: what is wrong, then the repair `r` would plan. */
export function driftLines(items: readonly DriftItem[]): Line[] {
  const lines: Line[] = [];
  items.forEach((item, index) => {
    if (items[index - 1]?.kind !== item.kind) {
      const count = items.filter((other) => other.kind === item.kind).length;
      lines.push({ key: `g:${item.kind}`, text: `${item.kind.replace(/_/g, ' ')} (${count})`, role: 'group', item: index });
    }
    lines.push({ key: item.id, text: `${item.target}  ${item.message}`, role: 'item', item: index });
    const alternative = item.alternative ? `  (or, when asked: ${item.alternative.description})` : '';
    lines.push({ key: `r:${item.id}`, text: `→ ${item.repair.description}${alternative}`, role: 'repair', item: index });
  });
  return lines;
}

export function scanSummary(report: DriftReport | null, scanning: boolean, now: number): string {
  if (!report) return scanning ? 'scanning…' : 'not scanned yet (ctrl-r scans now)';
  const at = new Date(report.checkedAt);
  const clock = at.toLocaleTimeString('en-GB', { hour12: false });
  const n = report.items.length;
  return `scanned ${clock} (${age(report.checkedAt, now)} ago) · ${n === 0 ? 'no drift' : `${n} item${n === 1 ? '' : 's'}`}`
    + (scanning ? ' · scanning…' : '');
}

export function DriftPanel({ height }: PanelBodyProps) {
  const drift = useCockpit((s) => s.drift);
  const hasDrift = useCockpitContext().source.drift !== undefined;
  const tone = useTone();
  const top = useRef(0);
  const { report, items, cursor, scanning, error } = drift;
  const unchecked = report?.unchecked ?? [];
  const header = `${scanSummary(report, scanning, Date.now())}${cursor.marked.size > 0 ? ` · marked ${cursor.marked.size}` : ''}`;
  const lines = driftLines(items);
  const rows = Math.max(1, height - 1 - unchecked.length - (error ? 1 : 0));
  const selectedLine = lines.findIndex((line) => line.role === 'item' && line.item === cursor.selected);
  let start = windowStart(top.current, Math.min(lines.length - 1, selectedLine + 1), rows, lines.length);
  if (selectedLine >= 0 && selectedLine < start) start = selectedLine;
  if (selectedLine > 0 && lines[selectedLine - 1]?.role === 'group' && start === selectedLine) start -= 1;
  top.current = start;
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate" bold color={tone('cyan')}>{header}</Text>
      {error ? <Text wrap="truncate" color={tone('red')}>{`scan failed: ${error.message}  hint: ${error.hint}`}</Text> : null}
      {unchecked.map((source) => (
        <Text key={source.source} wrap="truncate" color={tone('yellow')}>
          {`could not check ${source.source}: ${source.error}`}<Text dimColor>{`  hint: ${source.hint}`}</Text>
        </Text>
      ))}
      {!hasDrift ? <Text wrap="truncate" dimColor>  this source has no drift detection</Text> : null}
      {report && items.length === 0
        ? <Text wrap="truncate" color={tone('green')}>  the inventory, Git, the clusters and the registrars agree</Text>
        : null}
      {lines.slice(start, start + rows).map((line) => {
        const selected = line.item === cursor.selected && line.role === 'item';
        const marked = cursor.marked.has(items[line.item]?.id ?? '');
        if (line.role === 'group') return <Text key={line.key} wrap="truncate" bold color={tone('magenta')}>{line.text}</Text>;
        if (line.role === 'repair') return <Text key={line.key} wrap="truncate" dimColor>{`      ${line.text}`}</Text>;
        return (
          <Text key={line.key} wrap="truncate" inverse={selected} bold={marked} color={marked ? tone('yellow') : undefined}>
            {`${selected ? '>' : ' '}${marked ? '*' : ' '}  ${line.text}`}
          </Text>
        );
      })}
    </Box>
  );
}
