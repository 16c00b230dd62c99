import { Box, Text } from 'ink';
import { useCockpit } from '../context.js';
import { clusterFields } from '../format.js';
import { useTone } from '../theme.js';

export function DetailsOverlay({ height, name }: { height: number; name: string }) {
  const cluster = useCockpit((s) => s.clusters.find((c) => c.name === name));
  const tone = useTone();
  if (!cluster) {
    return (
      <Box flexDirection="column" height={height}>
        <Text wrap="truncate">{`cluster ${name} is no longer in the inventory`}</Text>
        <Text wrap="truncate" dimColor>esc closes</Text>
      </Box>
    );
  }
  const fields = clusterFields(cluster);
  const width = Math.max(...fields.map(([label]) => label.length));
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate" bold color={tone('cyan')}>{`Cluster ${cluster.name}`}</Text>
      {fields.slice(0, Math.max(0, height - 2)).map(([label, value]) => (
        <Text key={label} wrap="truncate">{`  ${`${label}:`.padEnd(width + 1)}  ${value}`}</Text>
      ))}
      <Text wrap="truncate" dimColor>esc closes</Text>
    </Box>
  );
}
