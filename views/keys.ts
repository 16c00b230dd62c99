import type { Key } from 'ink';
import type { PanelId } from './panel-id.js';

/**
 * Every key binding of the cockpit, in one table: the help line, the `?` overlay, the input dispatcher
 * and the tests all read it. Mutating bindings are hidden and refused in read-only mode here, in one place.
 * A new panel adds its own rows (panels: ['drift']) and handles their actions in its panel definition.
 */
export type ActionId =
  | 'down' | 'up' | 'pageDown' | 'pageUp' | 'top' | 'bottom'
  | 'filter' | 'mark' | 'details' | 'delete' | 'create'
  | 'repair' | 'repairDestructive' | 'rescan' | 'deploy' | 'retry' | 'logs' | 'failover' | 'reload' | 'backup'
  | 'execute' | 'revert' | 'cancelExecution' | 'nextSection' | 'prevSection'
  | 'help' | 'back' | 'quit' | 'nextPanel' | 'selectPanel' | 'command';

export type KeyPress = Pick<Key, 'upArrow' | 'downArrow' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'return' | 'escape' | 'ctrl' | 'tab' | 'shift' | 'leftArrow' | 'rightArrow'>;

export interface KeyBinding {
  action: ActionId;
  /** How the key is written in help. */
  keys: string;
  /** 'all' for frame-wide keys; otherwise the panels whose handler receives the action. */
  panels: 'all' | readonly PanelId[];
  description: string;
  /** Changes the fleet: hidden and refused when read-only. */
  mutating: boolean;
  /** Key and a word for the one-line reminder at the bottom; bindings without one are only in help. */
  hint?: string;
  matches(input: string, key: KeyPress): boolean;
}

const LISTS: readonly PanelId[] = ['clusters', 'drift', 'installs', 'dr', 'apps'];

const char = (c: string) => (input: string, key: KeyPress): boolean => input === c && !key.ctrl;

export const KEY_BINDINGS: readonly KeyBinding[] = [
  { action: 'down', hint: 'j/k move', keys: 'j / ↓', panels: LISTS, description: 'move down', mutating: false,
    matches: (input, key) => key.downArrow || char('j')(input, key) },
  { action: 'up', keys: 'k / ↑', panels: LISTS, description: 'move up', mutating: false,
    matches: (input, key) => key.upArrow || char('k')(input, key) },
  { action: 'pageDown', keys: 'PgDn / ctrl-f', panels: LISTS, description: 'page down', mutating: false,
    matches: (input, key) => key.pageDown || (key.ctrl && input === 'f') },
  { action: 'pageUp', keys: 'PgUp / ctrl-b', panels: LISTS, description: 'page up', mutating: false,
    matches: (input, key) => key.pageUp || (key.ctrl && input === 'b') },
  { action: 'top', keys: 'g / Home', panels: LISTS, description: 'first row', mutating: false,
    matches: (input, key) => key.home || char('g')(input, key) },
  { action: 'bottom', keys: 'G / End', panels: LISTS, description: 'last row', mutating: false,
    matches: (input, key) => key.end || char('G')(input, key) },
  { action: 'filter', hint: '/ filter', keys: '/', panels: ['clusters'], description: 'filter rows (enter keeps, esc clears)', mutating: false,
    matches: char('/') },
  { action: 'mark', hint: 'space mark', keys: 'space', panels: LISTS.filter((panel) => panel !== 'dr'), description: 'mark / unmark the row for bulk actions', mutating: false,
    matches: char(' ') },
  { action: 'details', hint: 'enter details', keys: 'enter', panels: ['clusters', 'apps', 'dr'], description: 'details of the selected row', mutating: false,
    matches: (_input, key) => key.return },
  { action: 'create', hint: 'c create', keys: 'c', panels: ['clusters'], description: 'create an environment (name, provider)', mutating: true,
    matches: char('c') },
  { action: 'delete', hint: 'D delete', keys: 'D', panels: ['clusters'], description: 'delete the selected (or marked) clusters, typing the name', mutating: true,
    matches: char('D') },
  { action: 'repair', hint: 'r repair', keys: 'r', panels: ['drift'], description: 'plan the repair of the selected (or marked) items, then apply it', mutating: true,
    matches: char('r') },
  { action: 'repairDestructive', hint: 'X delete/replace', keys: 'X', panels: ['drift'],
    description: 'plan the destructive repair of the selected (or marked) items: delete an orphan cluster, replace a stopped one (type the name)',
    mutating: true, matches: char('X') },
  { action: 'rescan', hint: 'ctrl-r rescan', keys: 'ctrl-r', panels: ['drift'], description: 'scan for drift now', mutating: false,
    matches: (input, key) => key.ctrl && input === 'r' },
  { action: 'deploy', hint: 'd deploy', keys: 'd', panels: ['installs'], description: 'deploy the dataplane to the selected (or marked) clusters', mutating: true,
    matches: char('d') },
  { action: 'retry', hint: 'R retry', keys: 'R', panels: ['installs'], description: 'retry the failed install of the selected (or marked) clusters', mutating: true,
    matches: char('R') },
  { action: 'failover', hint: 'F failover', keys: 'F', panels: ['apps'], description: 'fail the selected group over to a replica (asks first)', mutating: true, matches: char('F') },
  { action: 'reload', hint: 'L reload', keys: 'L', panels: ['apps'], description: "reload the selected group's configuration", mutating: true, matches: char('L') },
  { action: 'backup', hint: 'B backup', keys: 'B', panels: ['apps'], description: 'back the selected group up now', mutating: true, matches: char('B') },
  { action: 'nextSection', hint: '←/→ section', keys: '→ / l', panels: ['dr'], description: 'next section: plans → executions → actions', mutating: false,
    matches: (input, key) => key.rightArrow || char('l')(input, key) },
  { action: 'prevSection', keys: '← / h', panels: ['dr'], description: 'previous section', mutating: false,
    matches: (input, key) => key.leftArrow || char('h')(input, key) },
  { action: 'execute', hint: 'x execute', keys: 'x', panels: ['dr'], description: "execute the selected plan (type the plan's name to confirm)", mutating: true,
    matches: char('x') },
  { action: 'revert', hint: 'R revert', keys: 'R', panels: ['dr'], description: "revert the selected execution's succeeded actions (type the plan's name)", mutating: true,
    matches: char('R') },
  { action: 'cancelExecution', hint: 'c cancel', keys: 'c', panels: ['dr'], description: 'cancel the selected running execution (asks first)', mutating: true,
    matches: char('c') },
  { action: 'logs', hint: 'l output', keys: 'l', panels: ['installs'], description: 'installer output of the selected cluster', mutating: false,
    matches: char('l') },
  { action: 'help', hint: '? help', keys: '?', panels: 'all', description: 'keys of this panel', mutating: false, matches: char('?') },
  { action: 'command', hint: ': command', keys: ':', panels: 'all', description: 'command line (:q, :clusters, :drift …)', mutating: false,
    matches: char(':') },
  { action: 'selectPanel', hint: '1-5 panels', keys: '1–5', panels: 'all', description: 'switch panel', mutating: false,
    matches: (input, key) => !key.ctrl && /^[1-5]$/.test(input) },
  { action: 'nextPanel', keys: 'tab', panels: 'all', description: 'next panel', mutating: false,
    matches: (_input, key) => key.tab },
  { action: 'back', keys: 'esc', panels: 'all', description: 'back / clear the filter', mutating: false,
    matches: (_input, key) => key.escape },
  { action: 'quit', hint: 'q quit', keys: 'q / ctrl-c', panels: 'all', description: 'quit', mutating: false,
    matches: (input, key) => char('q')(input, key) || (key.ctrl && input === 'c') },
];

export function appliesTo(binding: KeyBinding, panel: PanelId): boolean {
  return binding.panels === 'all' || binding.panels.includes(panel);
}

/** The bindings a user can use on a panel: what help lists. */
export function bindingsFor(panel: PanelId, readonly: boolean): KeyBinding[] {
  return KEY_BINDINGS.filter((binding) => appliesTo(binding, panel) && !(readonly && binding.mutating));
}

export type KeyResolution =
  | { kind: 'action'; binding: KeyBinding }
  | { kind: 'refused'; binding: KeyBinding }
  | { kind: 'none' };

/** The single gate: a mutating key in read-only mode is refused, never dispatched. */
export function resolveKey(input: string, key: KeyPress, panel: PanelId, readonly: boolean): KeyResolution {
  const binding = KEY_BINDINGS.find((candidate) => appliesTo(candidate, panel) && candidate.matches(input, key));
  if (!binding) return { kind: 'none' };
  if (binding.mutating && readonly) return { kind: 'refused', binding };
  return { kind: 'action', binding };
}
