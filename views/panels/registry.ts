import { clustersAction } from './clusters-actions.js';
import { ClustersPanel } from './clusters-panel.js';
import type { PanelDefinition } from './panel-definition.js';
import type { PanelId } from '../panel-id.js';

/** The panel bar, in order; `1`–`5` select by position. Later subsystems replace their placeholder entry. */
export const PANELS: readonly PanelDefinition[] = [
  { id: 'clusters', title: 'Clusters', Body: ClustersPanel, onAction: clustersAction },
  { id: 'drift', title: 'Drift', Body: null },
  { id: 'installs', title: 'Installs', Body: null },
  { id: 'dr', title: 'DR', Body: null },
  { id: 'apps', title: 'Apps', Body: null },
];

export function panelById(id: PanelId): PanelDefinition {
  const panel = PANELS.find((candidate) => candidate.id === id);
  if (!panel) throw new Error(`panel ${id} is not registered`);
  return panel;
}
