import { Box, Text } from 'ink';
import { useEffect } from 'react';
import { useStore } from 'zustand';
import type { GroupView, MemberView } from '../../core/apps/index.js';
import { ConfirmOverlay } from '../components/confirm-overlay.js';
import { useCockpitContext } from '../context.js';
import { appsStoreFor, groupRef } from '../store/apps-store.js';
import type { AppsActionResult, AppsRow, AppsStore } from '../store/apps-store.js';
import { useTone } from '../theme.js';
import { refreshApps } from './apps-actions.js';
import { appsSourceOf } from './apps-source.js';
import type { PanelBodyProps } from './panel-definition.js';

/** Agents report health only when asked; this is how often the open panel asks again. Engine events refresh at once. */
export const APPS_PROBE_INTERVAL_MS = 10_000;

const HEALTH_TONE: Record<string, string> = { healthy: 'green', degraded: 'yellow', unhealthy: 'yellow', down: 'red', unreachable: 'red', unknown: 'gray' };

function label(row: AppsRow): string {
  const indent = '  '.repeat(row.depth);
  switch (row.kind) {
    case 'app': return `${indent}${row.app.name}${row.app.description ? `  (${row.app.description})` : ''}`;
    case 'component': return `${indent}${row.name} · ${row.type}`;
    case 'group': return `${indent}${row.group.name}`;
    case 'member': return `${indent}${row.member.instance}`;
  }
}

function columns(row: AppsRow): [string, string, string] {
  if (row.kind === 'group') {
    const g = row.group;
    return [g.master ? `master ${g.master}` : 'no master', g.renderNeeded ? `${g.health} · re-render` : g.health, g.version];
  }
  if (row.kind === 'member') return [row.member.role, row.member.health, row.member.version || '-'];
  if (row.kind === 'component') return ['', '', row.version];
  return ['', '', ''];
}

function healthOf(row: AppsRow): string {
  return row.kind === 'group' ? row.group.health : row.kind === 'member' ? row.member.health : '';
}

function Details({ height, group, result, busy }: { height: number; group: GroupView | undefined; result: AppsActionResult | undefined; busy: string | null }) {
  const tone = useTone();
  const { source } = useCockpitContext();
  if (!group) return <Text wrap="truncate">the group is gone · esc closes</Text>;
  const member = (m: MemberView) => `  ${m.instance.padEnd(24)} ${m.role.padEnd(8)} ${m.health.padEnd(12)} ${(m.version || '-').padEnd(8)} config ${m.configHash || '-'}`
    + `${m.restartPending ? ' · restart pending' : ''}${m.healthMessage ? ` · ${m.healthMessage}` : ''}${m.error ? ` · ${m.error}` : ''}`;
  const lines = [
    `  App ${group.app} · component ${group.component} · ${group.type} ${group.version}`,
    `  Phase ${group.phase}${group.renderNeeded ? ' · plugin changed, re-render pending' : ''} · ${group.instances} instance(s) · master ${group.master ?? '-'}`,
    '', ...group.members.map(member),
  ];
  const status = busy?.endsWith(groupRef(group)) ? `  ⟳ ${busy}…` : result ? `  Last ${result.action}: ${result.text}` : '';
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate" bold color={tone('cyan')}>{`Group ${groupRef(group)}`}</Text>
      {lines.slice(0, Math.max(0, height - 4)).map((line, i) => <Text key={i} wrap="truncate">{line}</Text>)}
      <Text> </Text>
      <Text wrap="truncate" color={result && !result.ok && !busy ? tone('red') : undefined}>{status}</Text>
      <Text wrap="truncate" dimColor>{readonlyHint(source.status.readonly)}</Text>
    </Box>
  );
}

const readonlyHint = (readonly: boolean): string => (readonly ? 'esc closes · read-only: F, L and B are off' : 'esc closes · F failover · L reload · B backup');

function findGroup(slice: AppsStore, ref: string): GroupView | undefined {
  for (const row of slice.getState().rows) if (row.kind === 'group' && groupRef(row.group) === ref) return row.group;
  return undefined;
}

export function AppsPanel({ height, width }: PanelBodyProps) {
  const { store, source } = useCockpitContext();
  const slice = appsStoreFor(store);
  const state = useStore(slice);
  const tone = useTone();
  const apps = appsSourceOf(source);

  useEffect(() => {
    if (!apps) return undefined;
    const ctx = { store, source };
    void refreshApps(ctx);
    const unsubscribe = source.subscribe((event) => {
      if (event.topic === 'apps') void refreshApps(ctx);
    });
    const timer = setInterval(() => void refreshApps(ctx), APPS_PROBE_INTERVAL_MS);
    return () => {
      unsubscribe();
      clearInterval(timer);
    };
  }, [store, source, apps]);

  useEffect(() => {
    slice.getState().setViewport(Math.max(1, height - 1));
  }, [slice, height]);

  if (!apps) return <Box height={height}><Text dimColor>Apps are not available from this source.</Text></Box>;
  const overlay = state.overlay;
  if (overlay?.kind === 'confirm') {
    const group = findGroup(slice, overlay.group);
    const detail = group ? [`master now: ${group.master ?? '-'}`, 'a healthy replica is promoted; the master becomes a replica'] : [];
    return <ConfirmOverlay height={height} title={`Fail over group ${overlay.group}?`} targets={detail} choice={overlay.choice} confirmLabel="Fail over" />;
  }
  if (overlay?.kind === 'details') {
    return <Details height={height} group={findGroup(slice, overlay.group)} result={state.results[overlay.group]} busy={state.busy} />;
  }
  if (!state.loaded) return <Box height={height}><Text dimColor>Loading apps…</Text></Box>;
  if (state.rows.length === 0) return <Box height={height}><Text dimColor>No middleware apps in the management cluster.</Text></Box>;

  const nameWidth = Math.max(24, Math.min(48, width - 48));
  const visible = state.rows.slice(state.top, state.top + Math.max(1, height - 1));
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate" bold>{`${'NAME'.padEnd(nameWidth)} ${'ROLE'.padEnd(22)} ${'HEALTH'.padEnd(20)} VERSION${state.busy ? `   ⟳ ${state.busy}` : ''}`}</Text>
      {visible.map((row, i) => {
        const [role, health, version] = columns(row);
        const selected = state.top + i === state.selected;
        return (
          <Text key={row.key} wrap="truncate" inverse={selected} bold={row.kind === 'app'}>
            {`${label(row).slice(0, nameWidth).padEnd(nameWidth)} ${role.padEnd(22)} `}
            <Text color={tone(HEALTH_TONE[healthOf(row)] ?? 'white')}>{health.padEnd(20)}</Text>
            {` ${version}`}
          </Text>
        );
      })}
    </Box>
  );
}
