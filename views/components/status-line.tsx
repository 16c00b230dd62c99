import { Box, Text } from 'ink';
import { useCockpit } from '../context.js';
import { useTone } from '../theme.js';

/** Database target, SANDBOX / READ-ONLY badges and the counts; the line below carries errors and notices. */
export function StatusLine() {
  const status = useCockpit((s) => s.status);
  const total = useCockpit((s) => s.clusters.length);
  const shown = useCockpit((s) => s.visible.length);
  const marked = useCockpit((s) => s.marked.size);
  const filter = useCockpit((s) => s.filter);
  const selected = useCockpit((s) => s.selected);
  const tone = useTone();
  const counts = `clusters ${total}  marked ${marked}` + (filter ? `  filtered ${shown} /${filter}` : '');
  const position = shown > 0 ? `  row ${selected + 1}/${shown}` : '';
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
        <Text>{counts}{position}</Text>
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
