import { Box, Text } from 'ink';
import type { RepairAction } from '../../core/drift/types.js';
import { destroyedClusters, typedConfirmation } from '../actions/repair-drift.js';
import type { Overlay } from '../store/overlay.js';
import { useTone } from '../theme.js';
import { ConfirmOverlay } from './confirm-overlay.js';
import { TypedConfirmOverlay } from './typed-confirm-overlay.js';

const DESTROYS = new Set<RepairAction['type']>(['delete_cluster', 'replace_cluster']);

export function actionLine(action: RepairAction, index: number): string {
  const subject = 'cluster' in action ? action.cluster : action.branch;
  const via = 'registrar' in action ? ` ${action.registrar}` : '';
  return `${index + 1}. ${DESTROYS.has(action.type) ? 'DESTROYS: ' : ''}${action.type}${via} ${subject}`;
}

type PlanOverlayState = Extract<Overlay, { kind: 'plan' }>;

/**
 * The repair plan, every action in the order it runs; applying it needs Apply chosen (Cancel is the default), or,
 * for a plan that deletes clusters, the cluster's name typed.
 */
export function PlanOverlay({ height, overlay }: { height: number; overlay: PlanOverlayState }) {
  const tone = useTone();
  const { plan, error, itemIds } = overlay;
  if (!plan) {
    return (
      <Box flexDirection="column" height={height}>
        <Text wrap="truncate" bold color={tone('cyan')}>
          {`${overlay.destructive ? 'Destructive repair' : 'Repair'} plan for ${itemIds.length} drift item${itemIds.length === 1 ? '' : 's'}`}
        </Text>
        {error ? (
          <Text wrap="truncate"><Text color={tone('red')}>could not make a plan: </Text>{error.message}
            <Text dimColor>{`  hint: ${error.hint}`}</Text></Text>
        ) : <Text wrap="truncate" dimColor>making a plan…</Text>}
        <Text wrap="truncate" dimColor>esc closes</Text>
      </Box>
    );
  }
  const kept = plan.repairs.filter((repair) => repair.choice === null).map((repair) => `kept ${repair.itemId}: ${repair.note ?? ''}`);
  const lines = [...plan.actions.map(actionLine), ...kept];
  const expected = overlay.destructive ? typedConfirmation(plan) : null;
  if (expected !== null) {
    const clusters = destroyedClusters(plan);
    return (
      <TypedConfirmOverlay height={height} overlay={{
        kind: 'typed-confirm', targets: lines, expected, typed: overlay.typed ?? '', mismatch: overlay.mismatch ?? false,
        title: `Apply repair plan ${plan.id}? It destroys cluster${clusters.length === 1 ? '' : 's'} ${clusters.join(', ')}`,
      }} />
    );
  }
  const title = plan.actions.length === 0
    ? `Plan ${plan.id} has nothing to do`
    : `Apply repair plan ${plan.id}: ${plan.actions.length} action${plan.actions.length === 1 ? '' : 's'} for ${plan.items.length} item${plan.items.length === 1 ? '' : 's'}?`;
  return <ConfirmOverlay height={height} title={title} targets={lines} choice={overlay.choice} confirmLabel="Apply" />;
}
