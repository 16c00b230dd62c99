import { Box, Text } from 'ink';
import { memo } from 'react';
import type { ClusterRecord } from '../../core/inventory/types.js';
import { useCockpit } from '../context.js';
import { CLUSTER_COLUMNS, columnWidths, formatCells } from '../format.js';
import { windowStart } from '../store/cluster-view.js';
import { useTone } from '../theme.js';

interface RowProps {
  cluster: ClusterRecord;
  widths: readonly number[];
  selected: boolean;
  marked: boolean;
  now: number;
}

const Row = memo(function Row({ cluster, widths, selected, marked, now }: RowProps) {
  const tone = useTone();
  const prefix = `${selected ? '>' : ' '}${marked ? '*' : ' '} `;
  const text = prefix + formatCells(CLUSTER_COLUMNS.map((column) => column.cell(cluster, now)), widths);
  return (
    <Text wrap="truncate" inverse={selected} bold={marked} color={marked ? tone('yellow') : undefined}>
      {text}
    </Text>
  );
});

/** Renders only the rows that fit: the work per frame follows the window, never the fleet's size. */
export function ClusterTable({ height }: { height: number }) {
  const visible = useCockpit((s) => s.visible);
  const selected = useCockpit((s) => s.selected);
  const top = useCockpit((s) => s.top);
  const marked = useCockpit((s) => s.marked);
  const loaded = useCockpit((s) => s.loaded);
  const total = useCockpit((s) => s.clusters.length);
  const filter = useCockpit((s) => s.filter);
  const tone = useTone();
  const rows = Math.max(1, height - 1);
  const start = windowStart(top, selected, rows, visible.length);
  const window = visible.slice(start, start + rows);
  const widths = columnWidths(window);
  const now = Date.now();

  let empty: string | null = null;
  if (!loaded) empty = 'loading the inventory…';
  else if (total === 0) empty = 'no clusters yet: add one with `fleetdeck clusters add NAME --provider k3d`';
  else if (visible.length === 0) empty = `no cluster matches "${filter}" (esc clears the filter)`;

  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate" bold color={tone('cyan')}>
        {`   ${formatCells(CLUSTER_COLUMNS.map((column) => column.title), widths)}`}
      </Text>
      {empty !== null ? <Text wrap="truncate" dimColor>{`   ${empty}`}</Text> : null}
      {window.map((cluster, i) => (
        <Row key={cluster.name} cluster={cluster} widths={widths} now={now}
          selected={start + i === selected} marked={marked.has(cluster.name)} />
      ))}
    </Box>
  );
}
