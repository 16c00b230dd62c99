import { Box } from 'ink';
import { ClusterTable } from '../components/cluster-table.js';
import { OperationSteps, operationLines } from '../components/operation-steps.js';
import { useCockpit } from '../context.js';
import type { PanelBodyProps } from './panel-definition.js';

/** The inventory table, with the followed operation's steps below it while there is one. */
export function ClustersPanel({ height }: PanelBodyProps) {
  const operation = useCockpit((s) => s.operation);
  const failed = operation?.record?.status === 'failed' || operation?.record?.status === 'undo_failed';
  const wanted = operation ? operationLines(operation.record?.steps.length ?? 0, failed) : 0;
  const stepsHeight = Math.min(wanted, Math.floor(height / 2));
  return (
    <Box flexDirection="column" height={height}>
      <ClusterTable height={height - stepsHeight} />
      <OperationSteps height={stepsHeight} />
    </Box>
  );
}
