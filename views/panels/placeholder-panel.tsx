import { Box, Text } from 'ink';
import type { PanelBodyProps } from './panel-definition.js';

export function PlaceholderPanel({ height, title }: PanelBodyProps & { title: string }) {
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate">{`${title}: not available yet.`}</Text>
      <Text wrap="truncate" dimColor>This panel arrives with its subsystem; press 1 for Clusters.</Text>
    </Box>
  );
}
