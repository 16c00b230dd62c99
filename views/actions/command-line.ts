import { PANEL_IDS, isPanelId } from '../panel-id.js';
import type { ActionContext } from './action-context.js';

/** The `:` command line: `:q`, `:quit`, a panel name (`:clusters`, `:drift` …), `:help`, `:filter TEXT`. */
export function runCommandLine({ store }: ActionContext, text: string): void {
  const [word = '', ...rest] = text.trim().replace(/^:/, '').split(/\s+/);
  const state = store.getState();
  state.closeOverlay();
  if (word === '') return;
  if (word === 'q' || word === 'quit' || word === 'q!') {
    state.requestQuit();
    return;
  }
  if (word === 'help') {
    state.openOverlay({ kind: 'help' });
    return;
  }
  if (word === 'filter') {
    state.setPanel('clusters');
    state.setFilter(rest.join(' '));
    return;
  }
  const panel = word === 'cluster' ? 'clusters' : word;
  if (isPanelId(panel)) {
    state.setPanel(panel);
    return;
  }
  state.setError({
    message: `unknown command ":${word}"`,
    hint: `Commands: :q, :help, :filter TEXT, ${PANEL_IDS.map((id) => `:${id}`).join(', ')}.`,
  });
}
