import { Box, Text } from 'ink';
import { useTone } from '../theme.js';

interface DrTextOverlayProps {
  height: number;
  title: string;
  /** Already wrapped to the width. */
  lines: readonly string[];
  scroll: number;
  tone?: string;
}

/** Rows of text the overlay can show at once: the title and the footer take one line each. */
export const textRows = (height: number): number => Math.max(1, height - 2);

/** A scrollable page of text (a dry run, an action's details); only the visible rows render. */
export function DrTextOverlay({ height, title, lines, scroll, tone: colour = 'cyan' }: DrTextOverlayProps) {
  const tone = useTone();
  const rows = textRows(height);
  const start = Math.max(0, Math.min(scroll, lines.length - rows));
  const shown = lines.slice(start, start + rows);
  const position = lines.length > rows ? `lines ${start + 1}–${start + shown.length} of ${lines.length} · j/k PgUp/PgDn scroll · ` : '';
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate" bold color={tone(colour)}>{title}</Text>
      {shown.slice(0, Math.max(0, height - 2)).map((line, i) => <Text key={start + i} wrap="truncate">{line}</Text>)}
      {height > 1 ? <Text wrap="truncate" dimColor>{`${position}esc closes`}</Text> : null}
    </Box>
  );
}
