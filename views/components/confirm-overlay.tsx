import { Box, Text } from 'ink';
import { useTone } from '../theme.js';

interface ConfirmProps {
  height: number;
  title: string;
  targets: readonly string[];
  choice: 'cancel' | 'confirm';
  /** The action's verb on its button, e.g. Delete. */
  confirmLabel: string;
}

/** A destructive action's confirmation. Cancel is the default: enter right away changes nothing. */
export function ConfirmOverlay({ height, title, targets, choice, confirmLabel }: ConfirmProps) {
  const tone = useTone();
  const listed = targets.slice(0, Math.max(0, height - 4));
  const more = targets.length - listed.length;
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate" bold color={tone('red')}>{title}</Text>
      {listed.map((name) => <Text key={name} wrap="truncate">{`  ${name}`}</Text>)}
      {more > 0 ? <Text wrap="truncate" dimColor>{`  … and ${more} more`}</Text> : null}
      <Text wrap="truncate">
        <Text inverse={choice === 'cancel'} bold={choice === 'cancel'}>{choice === 'cancel' ? '[ Cancel ]' : '  Cancel  '}</Text>
        {'  '}
        <Text inverse={choice === 'confirm'} bold={choice === 'confirm'} color={tone('red')}>
          {choice === 'confirm' ? `[ ${confirmLabel} ]` : `  ${confirmLabel}  `}
        </Text>
      </Text>
      <Text wrap="truncate" dimColor>←/→ or tab choose · enter applies the highlighted choice · esc cancels</Text>
    </Box>
  );
}
