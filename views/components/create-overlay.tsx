import { Box, Text } from 'ink';
import { PROVIDERS } from '../../core/inventory/types.js';
import type { Overlay } from '../store/overlay.js';
import { useTone } from '../theme.js';

type CreateForm = Extract<Overlay, { kind: 'create' }>;

export function CreateOverlay({ height, overlay }: { height: number; overlay: CreateForm }) {
  const tone = useTone();
  const onName = overlay.field === 'name';
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate" bold color={tone('cyan')}>Create an environment</Text>
      <Text wrap="truncate">
        {onName ? '> ' : '  '}{'Name:     '}<Text bold>{overlay.name}</Text>{onName ? <Text inverse> </Text> : null}
      </Text>
      <Text wrap="truncate">
        {onName ? '  ' : '> '}{'Provider: '}
        {PROVIDERS.map((provider) => (
          <Text key={provider} inverse={provider === overlay.provider} bold={provider === overlay.provider}>{` ${provider} `}</Text>
        ))}
      </Text>
      <Text wrap="truncate" dimColor>tab switches field · ←/→ chooses the provider · enter creates · esc cancels</Text>
    </Box>
  );
}
