import { Box, Text } from 'ink';
import type { DrOverlay } from '../store/dr-store.js';
import { useTone } from '../theme.js';

type Typed = Extract<DrOverlay, { kind: 'typed' }>;

/** Execute and Revert need the plan's name typed: enter with anything else starts nothing. */
export function DrTypedConfirm({ height, overlay, details }: { height: number; overlay: Typed; details: readonly string[] }) {
  const tone = useTone();
  const verb = overlay.action === 'execute' ? 'executed' : 'reverted';
  const title = overlay.action === 'execute' ? `Execute DR plan ${overlay.target}?` : `Revert execution ${overlay.target}?`;
  const listed = details.slice(0, Math.max(0, height - 4));
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate" bold color={tone('red')}>{title}</Text>
      {listed.map((line, i) => <Text key={i} wrap="truncate">{`  ${line}`}</Text>)}
      <Text wrap="truncate">{`Type the plan's name "${overlay.expected}" to confirm: `}<Text bold>{overlay.typed}</Text><Text inverse> </Text></Text>
      {overlay.mismatch
        ? <Text wrap="truncate" color={tone('red')}>{`that is not "${overlay.expected}": nothing was ${verb}`}</Text>
        : null}
      <Text wrap="truncate" dimColor>{`enter ${overlay.action === 'execute' ? 'executes' : 'reverts'} when the name matches · esc cancels`}</Text>
    </Box>
  );
}
