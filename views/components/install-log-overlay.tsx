import { Box, Text } from 'ink';
import type { InstallView } from '../../core/dataplane/types.js';
import { useCockpit } from '../context.js';
import { useTone } from '../theme.js';

/** What the installer left for a cluster's current (or last) task: the task's error, each stage's detail and error. */
export function installerOutput(view: InstallView): string[] {
  const task = view.task;
  if (!task) return [];
  const lines: string[] = [];
  if (task.jobName) lines.push(`Kubernetes Job ${task.jobName} (kubectl logs job/${task.jobName} in ${view.cluster} has the full output)`);
  if (task.errorMessage) lines.push(`task ${task.id}: ${task.errorMessage}`);
  for (const stage of task.stages) {
    if (stage.detail) lines.push(`${stage.name}: ${stage.detail}`);
    if (stage.error) lines.push(`${stage.name}: error: ${stage.error}`);
  }
  return lines;
}

export function InstallLogOverlay({ height, cluster }: { height: number; cluster: string }) {
  const view = useCockpit((s) => (s.installs.view?.cluster === cluster ? s.installs.view : null));
  const tone = useTone();
  const lines = view ? installerOutput(view) : [];
  const task = view?.task;
  let note: string | null = null;
  if (!view) note = 'reading…';
  else if (!task) note = `no install has run on ${cluster} yet: nothing to show`;
  else if (lines.length === 0) note = `task ${task.id} (${task.status}) recorded no installer output or error`;
  const shown = lines.slice(-Math.max(0, height - 3));
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
