import { Box, Text } from 'ink';
import { useCockpit } from '../context.js';
import { PANELS } from '../panels/registry.js';
import { useTone } from '../theme.js';

export function PanelBar() {
  const focused = useCockpit((s) => s.panel);
  const tone = useTone();
  return (
    <Box height={1}>
      <Text wrap="truncate">
        <Text bold color={tone('cyan')}>fleetdeck </Text>
        {PANELS.map((panel, index) => {
          const label = ` ${index + 1} ${panel.title} `;
          const active = panel.id === focused;
          return (
            <Text key={panel.id} inverse={active} bold={active} dimColor={!active && panel.Body === null}>
              {active ? `[${label.trim()}]` : label}
            </Text>
          );
        })}
      </Text>
    </Box>
  );
}
