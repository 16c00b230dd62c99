/**
 * The Apps panel's slice: the tree flattened into rows (App, Component, Group, and each Group's members), the
 * cursor, and the panel's own overlays (failover confirmation, group details). One slice per cockpit store.
 */
import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { AppView, GroupView, MemberView } from '../../core/apps/index.js';
import { clamp, windowStart } from './cluster-view.js';
import type { CockpitStore } from './cockpit-store.js';

export type AppsRow =
  | { kind: 'app'; key: string; depth: 0; app: AppView }
  | { kind: 'component'; key: string; depth: 1; app: AppView; name: string; type: string; version: string }
  | { kind: 'group'; key: string; depth: 2; app: AppView; group: GroupView }
  | { kind: 'member'; key: string; depth: 3; app: AppView; group: GroupView; member: MemberView };

export type AppsOverlay =
  /** `returnTo: 'details'`: the confirmation was opened from the group's details, which come back after it. */
  | { kind: 'confirm'; action: 'failover'; group: string; choice: 'cancel' | 'confirm'; returnTo?: 'details' }
  | { kind: 'details'; group: string };

/** What the last action on a group did (or why it failed), shown in its details until the next one. */
export interface AppsActionResult {
  action: 'failover' | 'reload' | 'backup';
  ok: boolean;
  text: string;
  at: string;
}

export interface AppsState {
  apps: AppView[];
  rows: AppsRow[];
  loaded: boolean;
  selected: number;
  top: number;
  viewportRows: number;
  overlay: AppsOverlay | null;
  /** An action in flight, e.g. "failover cache-redis": shown, and a second action waits for it. */
  busy: string | null;
  /** The last action's result per group (NAMESPACE/NAME). */
  results: Record<string, AppsActionResult>;

  setApps(apps: AppView[]): void;
  moveBy(delta: number): void;
  moveTo(index: number): void;
  setViewport(rows: number): void;
  openOverlay(overlay: AppsOverlay): void;
  closeOverlay(): void;
  setBusy(busy: string | null): void;
  setResult(group: string, result: AppsActionResult): void;
}

export type AppsStore = StoreApi<AppsState>;

export const groupRef = (group: Pick<GroupView, 'namespace' | 'name'>): string => `${group.namespace}/${group.name}`;

export function flattenApps(apps: readonly AppView[]): AppsRow[] {
  const rows: AppsRow[] = [];
  for (const app of apps) {
    rows.push({ kind: 'app', key: `app:${app.namespace}/${app.name}`, depth: 0, app });
    for (const component of app.components) {
      rows.push({ kind: 'component', key: `component:${app.namespace}/${app.name}/${component.name}`, depth: 1, app,
        name: component.name, type: component.type, version: component.version });
      for (const group of component.groups) {
        rows.push({ kind: 'group', key: `group:${groupRef(group)}`, depth: 2, app, group });
        for (const member of group.members) rows.push({ kind: 'member', key: `member:${groupRef(group)}/${member.instance}`, depth: 3, app, group, member });
      }
    }
  }
  return rows;
}

/** The group a row belongs to: a group row, or a member row's group. Actions apply to it. */
export function rowGroup(row: AppsRow | undefined): GroupView | undefined {
  return row?.kind === 'group' || row?.kind === 'member' ? row.group : undefined;
}

export function selectedRow(state: AppsState): AppsRow | undefined {
  return state.rows[state.selected];
}

export function createAppsStore(viewportRows = 20): AppsStore {
  return createStore<AppsState>()((set, get) => {
    const place = (selected: number, rows = get().rows) => {
      const index = clamp(selected, 0, Math.max(0, rows.length - 1));
      return { selected: index, top: windowStart(get().top, index, get().viewportRows, rows.length) };
    };
    return {
      apps: [], rows: [], loaded: false, selected: 0, top: 0, viewportRows, overlay: null, busy: null, results: {},
      setApps(apps) {
        const key = selectedRow(get())?.key;
        const rows = flattenApps(apps);
        const kept = key === undefined ? -1 : rows.findIndex((r) => r.key === key);
        set({ apps, rows, loaded: true, ...place(kept >= 0 ? kept : get().selected, rows) });
      },
      moveBy(delta) { set(place(get().selected + delta)); },
      moveTo(index) { set(place(index < 0 ? get().rows.length - 1 : index)); },
      setViewport(rows) {
        const state = get();
        if (rows !== state.viewportRows) set({ viewportRows: rows, top: windowStart(state.top, state.selected, rows, state.rows.length) });
      },
      openOverlay(overlay) { set({ overlay }); },
      closeOverlay() { set({ overlay: null }); },
      setBusy(busy) { set({ busy }); },
      setResult(group, result) { set({ results: { ...get().results, [group]: result } }); },
    };
  });
}

const slices = new WeakMap<CockpitStore, AppsStore>();

/** The Apps slice that belongs to a cockpit store (created on first use). */
export function appsStoreFor(cockpit: CockpitStore): AppsStore {
  let slice = slices.get(cockpit);
  if (!slice) {
    slice = createAppsStore(cockpit.getState().viewportRows);
    slices.set(cockpit, slice);
  }
  return slice;
}
