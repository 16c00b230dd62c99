import { Box, Text } from 'ink';
import { useRef } from 'react';
import type { ClusterInstallSummary } from '../../core/dataplane/deploy-service.js';
import { InstallStages } from '../components/install-stages.js';
import { taskStateText } from './installs-output.js';
import { useCockpit, useCockpitContext } from '../context.js';
import { formatCells } from '../format.js';
import { windowStart } from '../store/cluster-view.js';
import type { ActionResult } from '../store/installs-slice.js';
import { useTone } from '../theme.js';
import type { PanelBodyProps } from './panel-definition.js';

const TITLES = ['CLUSTER', 'DATAPLANE', 'STORAGE', 'TASK', 'RESULT'];
const WIDTHS = [20, 9, 12, 40];

function taskCell(row: ClusterInstallSummary): string {
  const { task } = row;
  if (!task) return '-';
  const done = `${task.stagesCompleted.length}/${row.stageCount}`;
  return `${task.id} ${taskStateText(task)} ${done}${task.status === 'running' && task.currentStage ? ` ${task.currentStage}` : ''}`;
}

export function installCells(row: ClusterInstallSummary, result: ActionResult | undefined): string[] {
  return [row.name, row.dataplaneStatus, row.storageMode ?? '-', taskCell(row).slice(0, WIDTHS[3]), result?.message ?? ''];
}

/** Every cluster's dataplane status above; the selected cluster's stages and history below. */
export function InstallsPanel({ height }: PanelBodyProps) {
  const installs = useCockpit((s) => s.installs);
  const hasInstalls = useCockpitContext().source.installs !== undefined;
  const tone = useTone();
  const top = useRef(0);
  const { rows, cursor, view, results, loaded, error } = installs;
  const tableRows = Math.max(1, Math.min(rows.length || 1, Math.floor(height / 2) - 1));
  const start = windowStart(top.current, cursor.selected, tableRows, rows.length);
  top.current = start;
  const widths = [Math.max(12, ...rows.slice(start, start + tableRows).map((row) => row.name.length)), ...WIDTHS.slice(1)];
  let empty: string | null = null;
  if (!hasInstalls) empty = 'this source has no dataplane installer';
  else if (error) empty = `could not read the installs: ${error.message}`;
  else if (!loaded) empty = 'loading the installs…';
  else if (rows.length === 0) empty = 'no dataplane clusters yet: they arrive from the Primus-SaFE sync or `fleetdeck dataplane add`';
  const selectedName = rows[cursor.selected]?.name;
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate" bold color={tone('cyan')}>{`   ${formatCells(TITLES, widths)}`}</Text>
      {empty !== null ? <Text wrap="truncate" dimColor>{`   ${empty}`}</Text> : null}
      {rows.slice(start, start + tableRows).map((row, i) => {
        const selected = start + i === cursor.selected;
        const marked = cursor.marked.has(row.name);
        // A failed cluster with a new task queued is no longer shown as failed.
        const failed = (row.dataplaneStatus === 'failed' && row.task?.status !== 'pending') || results[row.name]?.state === 'failed';
        return (
          <Text key={row.name} wrap="truncate" inverse={selected} bold={marked}
            color={marked ? tone('yellow') : failed ? tone('red') : undefined}>
            {`${selected ? '>' : ' '}${marked ? '*' : ' '} ${formatCells(installCells(row, results[row.name]), widths)}`}
          </Text>
        );
      })}
      <Text> </Text>
      {view && view.cluster === selectedName ? <InstallStages view={view} height={height - tableRows - 2} /> : null}
    </Box>
  );
}
