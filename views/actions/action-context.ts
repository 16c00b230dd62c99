import type { CockpitSource } from '../source.js';
import type { CockpitStore } from '../store/cockpit-store.js';

/** What an action handler may touch: the store, and the source for reads and mutations. */
export interface ActionContext {
  store: CockpitStore;
  source: CockpitSource;
}
