import { Box, Text } from 'ink';
import type { StepStatus } from '../../core/operations/types.js';
import { useCockpit } from '../context.js';
import { useTone } from '../theme.js';

const MARK: Record<StepStatus, string> = {
  pending: '·', started: '…', succeeded: '✓', failed: '✗', skipped: '-', compensating: '↺', compensated: '↺',
};

/** Lines the operation section needs for `steps` steps: title, steps, and the error and hint of a failure. */
export function operationLines(steps: number, failed: boolean): number {
  return 1 + steps + (failed ? 2 : 0);
}

/** The followed operation's steps, live: ✓ done, … running, ✗ failed (with the operation's own hint), · not yet. */
export function OperationSteps({ height }: { height: number }) {
  const operation = useCockpit((s) => s.operation);
  const tone = useTone();
  if (!operation || height <= 0) return null;
  const { record } = operation;
  const id = record?.id ?? operation.id;
  const status = record?.status ?? 'starting';
  const failed = record?.status === 'failed' || record?.status === 'undo_failed';
  const colour = failed ? tone('red') : status === 'succeeded' ? tone('green') : tone('yellow');
  const steps = record?.steps ?? [];
  const room = Math.max(0, height - 1 - (failed ? 2 : 0));
  return (
    <Box flexDirection="column" height={Math.min(height, operationLines(steps.length, failed))}>
      <Text wrap="truncate" bold color={colour}>
        {`operation ${id ?? '?'} ${record ? `${record.kind} ${record.target}` : operation.label}: ${status}`}
        <Text dimColor>{status === 'running' || status === 'starting' ? '' : '  (esc hides)'}</Text>
      </Text>
      {steps.slice(0, room).map((step) => (
        <Text key={step.position} wrap="truncate" color={step.status === 'failed' ? tone('red') : undefined}
          dimColor={step.status === 'pending'}>
          {`  ${MARK[step.status]} ${step.name}${step.error ? `: ${step.error}` : ''}`}
        </Text>
      ))}
      {failed && record ? <Text wrap="truncate" color={tone('red')}>{`  error: ${record.error ?? 'failed'}`}</Text> : null}
      {failed && record ? (
        <Text wrap="truncate">{`  ${record.hint ?? `resume with \`fleetdeck ops resume ${record.id}\``}`}</Text>
      ) : null}
    </Box>
  );
}
