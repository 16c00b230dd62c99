import { Box, Text } from 'ink';
import type { ReactElement } from 'react';
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { ConfirmOverlay } from '../components/confirm-overlay.js';
import { DrTextOverlay, textRows } from '../components/dr-text-overlay.js';
import { DrTimelineRows, timelineHeader, timelineNameWidth } from '../components/dr-timeline.js';
import { DrTypedConfirm } from '../components/dr-typed-confirm.js';
import { useCockpitContext } from '../context.js';
import { formatCells } from '../format.js';
import { drStoreFor, isActive, planKey, timelineKey } from '../store/dr-store.js';
import type { DrSection, DrState, DrStore } from '../store/dr-store.js';
import { useTone } from '../theme.js';
import { renderingKeyOfExecution, renderingKeyOfPlan, startDrSync } from './dr-actions.js';
import {
  actionDetailLines, clock, dryRunLines, executionDuration, lastExecutionCell, PHASE_MARK, PHASE_TONE, progressOf, wrapLines,
} from './dr-format.js';
import { drSourceOf } from './dr-source.js';
import type { PanelBodyProps } from './panel-definition.js';

/** Rows each section may show: the plans and executions tables take what they need up to a share, the timeline the rest. */
export function drLayout(height: number, plans: number, executions: number): Record<DrSection, number> {
  const available = Math.max(3, height - 4);
  const plansRows = Math.max(1, Math.min(Math.max(plans, 1), Math.floor(available / 4)));
  const executionRows = Math.max(1, Math.min(Math.max(executions, 1), Math.floor(available / 3)));
  return { plans: plansRows, executions: executionRows, actions: Math.max(1, available - plansRows - executionRows) };
}

/** A clock that ticks only while something runs, so elapsed times move without a tight loop. */
function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [ticking]);
  return ticking ? Math.max(now, Date.now()) : Date.now();
}

const PLAN_TITLES = ['PLAN', 'NAMESPACE', 'STAGES', 'LAST EXECUTION'];
const EXECUTION_TITLES = ['EXECUTION', 'PLAN', 'KIND', 'PHASE', 'STARTED', 'DURATION'];

function Overlay({ state, slice, height, width, now }: { state: DrState; slice: DrStore; height: number; width: number; now: number }): ReactElement | null {
  const overlay = state.overlay;
  const tooLong = (lines: readonly string[], scroll: number): boolean => scroll > Math.max(0, lines.length - textRows(height));
  // A scroll past the end (G, or the text got shorter) snaps back, so k moves at once.
  let lines: string[] = [];
  useEffect(() => {
    if ((overlay?.kind === 'dry-run' || overlay?.kind === 'action') && tooLong(lines, overlay.scroll)) {
      slice.getState().openOverlay({ ...overlay, scroll: Math.max(0, lines.length - textRows(height)) });
    }
  });
  if (!overlay) return null;
  if (overlay.kind === 'typed') {
    const plan = state.plans.find((p) => planKey(p) === overlay.target);
    const execution = state.executions.find((e) => e.id === overlay.target);
    const details = overlay.action === 'execute'
      ? [plan?.description ?? '', `${plan?.stages ?? '?'} stage(s); every action runs now, in this process (the daemon resumes it if the cockpit quits).`,
        'enter on the plan shows its dry run first.'].filter((line) => line !== '')
      : [`${execution?.kind ?? 'Execute'} of ${execution ? `${execution.planNamespace}/${execution.planName}` : '?'}, ${execution?.phase ?? '?'}.`,
        'Its succeeded actions are undone in reverse order: rollback actions run, created objects are deleted, HTTP is skipped.'];
    return <DrTypedConfirm height={height} overlay={overlay} details={details} />;
  }
  if (overlay.kind === 'cancel') {
    const execution = state.executions.find((e) => e.id === overlay.execution);
    const targets = [execution ? `${execution.kind} of ${execution.planNamespace}/${execution.planName} · ${execution.phase}` : overlay.execution,
      'It stops after the actions now running; actions not started are Skipped.'];
    return <ConfirmOverlay height={height} title={`Cancel execution ${overlay.execution}?`} targets={targets} choice={overlay.choice} confirmLabel="Stop execution" />;
  }
  if (overlay.kind === 'dry-run') {
    const rendering = state.renderings[renderingKeyOfPlan(overlay.plan)];
    const raw = !rendering || rendering.state === 'loading' ? ['rendering every action…']
      : rendering.state === 'failed' ? [`the dry run failed: ${rendering.error.message}`, `hint: ${rendering.error.hint}`] : dryRunLines(rendering.rendering);
    lines = wrapLines(raw, width);
    return <DrTextOverlay height={height} title={`Dry run of ${overlay.plan}: nothing runs · secret headers shown as ******`} lines={lines} scroll={overlay.scroll} />;
  }
  const view = state.view?.id === overlay.execution ? state.view : null;
  const status = view?.actions.find((a) => timelineKey(a) === overlay.action);
  const rendering = state.renderings[renderingKeyOfExecution(overlay.execution)];
  const note = !rendering || rendering.state === 'loading' ? 'reading the dry run…'
    : rendering.state === 'failed' ? `the dry run failed: ${rendering.error.message}` : "dry run with the execution's params; secret headers ******";
  const rendered = rendering?.state === 'ready' && status
    ? rendering.rendering.stages.find((s) => s.name === status.stage)?.workflows.find((w) => w.key === status.workflow)?.actions.find((a) => a.name === status.action)
    : undefined;
  lines = wrapLines(view && status ? actionDetailLines(view, status, rendered, note, now) : ['this action is no longer in the execution'], width);
  const title = `Action ${status?.action ?? overlay.action} · ${status ? `${PHASE_MARK[status.phase] ?? ''} ${status.phase}` : ''}`;
  return <DrTextOverlay height={height} title={title} lines={lines} scroll={overlay.scroll} tone={status?.phase === 'Failed' ? 'red' : 'cyan'} />;
}

export function DrPanel({ height, width }: PanelBodyProps) {
  const { store, source } = useCockpitContext();
  const slice = drStoreFor(store);
  const state = useStore(slice);
  const tone = useTone();
  const dr = drSourceOf(source);
  const layout = drLayout(height, state.plans.length, state.executions.length);
  const running = state.executions.some((e) => isActive(e.phase)) || (state.view?.actions.some((a) => a.phase === 'Running') ?? false);
  const now = useNow(running);

  useEffect(() => {
    if (!dr) return undefined;
    const sync = startDrSync({ store, source });
    return () => sync.stop();
  }, [store, source, dr]);

  useEffect(() => {
    slice.getState().setViewports(layout);
  }, [slice, layout.plans, layout.executions, layout.actions]);

  if (!dr) return <Box height={height}><Text dimColor>DR plans are not available from this source.</Text></Box>;
  if (state.overlay) return <Overlay state={state} slice={slice} height={height} width={width} now={now} />;
  if (!state.loaded) return <Box height={height}><Text dimColor>Loading DR plans…</Text></Box>;

  const focusMark = (section: DrSection) => (state.section === section ? '▸' : ' ');
  const lines: ReactElement[] = [];
  const { plans: planCursor, executions: executionCursor, actions: actionCursor } = state.cursors;

  const shownPlans = state.plans.slice(planCursor.top, planCursor.top + layout.plans);
  const planWidths = [Math.max(16, ...shownPlans.map((p) => p.name.length)), Math.max(9, ...shownPlans.map((p) => p.namespace.length)), 6];
  lines.push(<Text key="ph" wrap="truncate" bold color={tone('cyan')}>{`${focusMark('plans')} ${formatCells(PLAN_TITLES, planWidths)}`}</Text>);
  if (state.plans.length === 0) lines.push(<Text key="p-" wrap="truncate" dimColor>  no DR plans: store one with `fleetdeck dr apply -f FILE`</Text>);
  shownPlans.forEach((p, i) => {
    const selected = planCursor.top + i === planCursor.selected;
    const phase = p.lastExecution?.phase;
    lines.push(
      <Text key={`p:${planKey(p)}`} wrap="truncate" inverse={selected && state.section === 'plans'}>
        {`${selected ? '>' : ' '} ${formatCells([p.name, p.namespace, String(p.stages), ''], planWidths)}`}
        <Text color={(p as { invalid?: string }).invalid ? tone('red') : phase ? tone(PHASE_TONE[phase] ?? 'white') : undefined}>{lastExecutionCell(p)}</Text>
      </Text>,
    );
  });

  const shownExecutions = state.executions.slice(executionCursor.top, executionCursor.top + layout.executions);
  const executionWidths = [Math.max(20, ...shownExecutions.map((e) => e.id.length)), Math.max(14, ...shownExecutions.map((e) => e.planName.length)), 7, 11, 14];
  lines.push(<Text key="eh" wrap="truncate" bold color={tone('cyan')}>{`${focusMark('executions')} ${formatCells(EXECUTION_TITLES, executionWidths)}`}</Text>);
  if (state.executions.length === 0) lines.push(<Text key="e-" wrap="truncate" dimColor>  no executions yet: x executes the selected plan</Text>);
  shownExecutions.forEach((e, i) => {
    const selected = executionCursor.top + i === executionCursor.selected;
    lines.push(
      <Text key={`e:${e.id}`} wrap="truncate" inverse={selected && state.section === 'executions'}>
        {`${selected ? '>' : ' '} ${formatCells([e.id, e.planName, e.kind, ''], executionWidths.slice(0, 4))}`}
        <Text color={tone(PHASE_TONE[e.phase] ?? 'white')}>{`${PHASE_MARK[e.phase] ?? '?'} ${e.phase}`.padEnd(executionWidths[3]!)}</Text>
        {`  ${formatCells([clock(e.startedAt ?? e.createdAt), executionDuration(e, now)], executionWidths.slice(4))}`}
      </Text>,
    );
  });

  const view = state.view;
  const selectedId = state.executions[executionCursor.selected]?.id;
  const title = !selectedId ? 'ACTIONS · no execution selected'
    : !view || view.id !== selectedId ? `ACTIONS of ${selectedId} · reading…`
      : `ACTIONS of ${view.id} · ${view.kind}${view.parentId ? ` of ${view.parentId}` : ''} · ${view.phase}${view.message ? ` (${view.message})` : ''} · ${progressOf(view.actions)}`;
  lines.push(<Text key="th" wrap="truncate" bold color={tone('cyan')}>{`${focusMark('actions')} ${title}`}</Text>);
  if (view && view.id === selectedId) {
    // Short terminals: the timeline gets what is left, so the frame never grows.
    const room = Math.min(layout.actions, height - lines.length - 1);
    const shown = state.timeline.slice(actionCursor.top, actionCursor.top + Math.max(0, room));
    const nameWidth = timelineNameWidth(shown);
    const rendering = state.renderings[renderingKeyOfExecution(view.id)];
    lines.push(<Text key="tc" wrap="truncate" dimColor>{timelineHeader(nameWidth)}</Text>);
    lines.push(
      <DrTimelineRows key="tr" view={view} rows={shown} start={actionCursor.top} selected={actionCursor.selected} focused={state.section === 'actions'}
        nameWidth={nameWidth} rendering={rendering?.state === 'ready' ? rendering.rendering : null} now={now} />,
    );
  }
  return <Box flexDirection="column" height={height}>{lines.slice(0, height)}</Box>;
}
