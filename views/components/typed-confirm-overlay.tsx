import { Box, Text } from 'ink';
import type { Overlay } from '../store/overlay.js';
import { useTone } from '../theme.js';

type TypedConfirm = Extract<Overlay, { kind: 'typed-confirm' }>;

/** Deleting needs the cluster's name typed: enter with anything else deletes nothing. */
export function TypedConfirmOverlay({ height, overlay }: { height: number; overlay: TypedConfirm }) {
  const tone = useTone();
  const listed = overlay.targets.slice(0, Math.max(0, height - 5));
  const more = overlay.targets.length - listed.length;
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate" bold color={tone('red')}>{overlay.title}</Text>
      {listed.map((name) => <Text key={name} wrap="truncate">{`  ${name}`}</Text>)}
      {more > 0 ? <Text wrap="truncate" dimColor>{`  … and ${more} more`}</Text> : null}
      <Text wrap="truncate">{`Type "${overlay.expected}" to confirm: `}<Text bold>{overlay.typed}</Text><Text inverse> </Text></Text>
      {overlay.mismatch
        ? <Text wrap="truncate" color={tone('red')}>{`that is not "${overlay.expected}": nothing was deleted`}</Text>
        : null}
      <Text wrap="truncate" dimColor>enter deletes when the text matches · esc cancels</Text>
    </Box>
  );
}
