import { Box, Text } from 'ink';
import { useCockpit } from '../context.js';
import { bindingsFor } from '../keys.js';
import { panelById } from '../panels/registry.js';
import { useTone } from '../theme.js';

/** The keys of the focused panel, straight from the bindings table (mutating ones hidden when read-only). */
export function HelpOverlay({ height }: { height: number }) {
  const panel = useCockpit((s) => s.panel);
  const readonly = useCockpit((s) => s.status.readonly);
  const tone = useTone();
  const bindings = bindingsFor(panel, readonly);
  const keyWidth = Math.max(...bindings.map((binding) => binding.keys.length));
  const entries = bindings.map((binding) => `${binding.keys.padEnd(keyWidth)}  ${binding.description}`);
  // Short terminals get the list in columns rather than losing its tail.
  const perColumn = Math.max(1, height - 2);
  const columns: string[][] = [];
  for (let i = 0; i < entries.length; i += perColumn) columns.push(entries.slice(i, i + perColumn));
  const columnWidth = Math.max(...entries.map((entry) => entry.length)) + 4;
  const lines = (columns[0] ?? []).map((_, row) =>
    columns.map((column) => (column[row] ?? '').padEnd(columnWidth)).join('').trimEnd());
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate" bold color={tone('cyan')}>{`Keys: ${panelById(panel).title}${readonly ? ' (read-only)' : ''}`}</Text>
      {lines.map((line, row) => <Text key={row} wrap="truncate">{`  ${line}`}</Text>)}
      <Text wrap="truncate" dimColor>esc closes</Text>
    </Box>
  );
}
