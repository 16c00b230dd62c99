import { Box, Text } from 'ink';
import { useCockpit } from '../context.js';
import { bindingsFor } from '../keys.js';
import { useTone } from '../theme.js';

/** The filter or command prompt while one is open, otherwise a one-line reminder of the panel's keys. */
export function BottomLine() {
  const overlay = useCockpit((s) => s.overlay);
  const filter = useCockpit((s) => s.filter);
  const panel = useCockpit((s) => s.panel);
  const readonly = useCockpit((s) => s.status.readonly);
  const tone = useTone();
  if (overlay?.kind === 'filter') {
    return (
      <Box height={1}>
        <Text wrap="truncate"><Text color={tone('cyan')}>/</Text>{filter}<Text inverse> </Text>
          <Text dimColor>  enter keeps · esc clears</Text></Text>
      </Box>
    );
  }
  if (overlay?.kind === 'command') {
    return (
      <Box height={1}>
        <Text wrap="truncate"><Text color={tone('cyan')}>:</Text>{overlay.text}<Text inverse> </Text></Text>
      </Box>
    );
  }
  const hints = bindingsFor(panel, readonly).flatMap((binding) =>
    binding.hint ? [binding.hint] : []);
  return (
    <Box height={1}>
      <Text wrap="truncate" dimColor>{hints.join(' · ')}</Text>
    </Box>
  );
}
