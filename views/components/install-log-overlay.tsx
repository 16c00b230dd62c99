import { Box, Text } from 'ink';
import { useCockpit } from '../context.js';
import { installerOutput } from '../panels/installs-output.js';
import { useTone } from '../theme.js';

export function InstallLogOverlay({ height, cluster }: { height: number; cluster: string }) {
  const view = useCockpit((s) => (s.installs.view?.cluster === cluster ? s.installs.view : null));
  const tone = useTone();
  const lines = view ? installerOutput(view) : [];
  const task = view?.task;
  let note: string | null = null;
  if (!view) note = 'reading…';
  else if (!task) note = `no install has run on ${cluster} yet: nothing to show`;
  else if (lines.length === 0) note = `task ${task.id} (${task.status}) recorded no installer output or error yet`;
  // The newest output is at the end; `fleetdeck installs logs CLUSTER` prints all of it.
  const room = Math.max(0, height - 3);
  let shown = lines;
  if (lines.length > room) shown = room > 1 ? [`… ${lines.length - room + 1} earlier lines: fleetdeck installs logs ${cluster}`, ...lines.slice(lines.length - (room - 1))] : [];
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate" bold color={tone('cyan')}>
        {`Installer output: ${cluster}${task ? ` · task ${task.id} ${task.status} · runner ${task.runner}` : ''}`}
      </Text>
      {note !== null ? <Text wrap="truncate" dimColor>{`  ${note}`}</Text> : null}
      {shown.map((line, i) => <Text key={i} wrap="truncate">{`  ${line}`}</Text>)}
      <Text wrap="truncate" dimColor>esc closes</Text>
    </Box>
  );
}
