import { Box, Text } from 'ink';
import { useCockpit } from '../context.js';
import type { CockpitState } from '../store/cockpit-store.js';
import { useTone } from '../theme.js';

/** The focused panel's counts and position; a string, so the line re-renders only when it changes. */
function panelCounts(s: CockpitState): string {
  const position = (selected: number, total: number) => (total > 0 ? `  row ${selected + 1}/${total}` : '');
  if (s.panel === 'drift') {
    const { items, cursor } = s.drift;
    return `drift ${items.length}  marked ${cursor.marked.size}${position(cursor.selected, items.length)}`;
  }
  if (s.panel === 'installs') {
    const { rows, cursor } = s.installs;
    return `installs ${rows.length}  marked ${cursor.marked.size}${position(cursor.selected, rows.length)}`;
  }
  const filtered = s.filter ? `  filtered ${s.visible.length} /${s.filter}` : '';
  return `clusters ${s.clusters.length}  marked ${s.marked.size}${filtered}${position(s.selected, s.visible.length)}`;
}

/** Database target, SANDBOX / READ-ONLY badges and the counts; the line below carries errors and notices. */
export function StatusLine() {
  const status = useCockpit((s) => s.status);
  const counts = useCockpit(panelCounts);
  const tone = useTone();
  return (
    <Box height={1}>
      <Text wrap="truncate">
        {status.sandbox ? <Text inverse bold color={tone('yellow')}> SANDBOX </Text> : null}
        {status.sandbox ? ' ' : ''}
        {status.managementCluster ? <Text dimColor>{`management cluster ${status.managementCluster} │ `}</Text> : null}
        {status.readonly ? <Text inverse bold color={tone('magenta')}> READ-ONLY </Text> : null}
        {status.readonly ? ' ' : ''}
        <Text dimColor>db </Text>
        <Text>{status.databaseTarget}</Text>
        <Text dimColor> │ </Text>
        <Text>{counts}</Text>
      </Text>
    </Box>
  );
}

export function MessageLine() {
  const error = useCockpit((s) => s.error);
  const notice = useCockpit((s) => s.notice);
  const tone = useTone();
  return (
    <Box height={1}>
      {error ? (
        <Text wrap="truncate">
          <Text bold color={tone('red')}>error: </Text>
          <Text>{error.message}</Text>
          <Text dimColor>{`  hint: ${error.hint}`}</Text>
        </Text>
      ) : (
        <Text wrap="truncate" color={tone('green')}>{notice ?? ''}</Text>
      )}
    </Box>
  );
}
