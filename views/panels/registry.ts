import { appsAction } from './apps-actions.js';
import { AppsPanel } from './apps-panel.js';
import { clustersAction } from './clusters-actions.js';
import { ClustersPanel } from './clusters-panel.js';
import { drAction } from './dr-actions.js';
import { DrPanel } from './dr-panel.js';
import { driftAction } from './drift-actions.js';
import { DriftPanel } from './drift-panel.js';
import { installsAction } from './installs-actions.js';
import { InstallsPanel } from './installs-panel.js';
import type { PanelDefinition } from './panel-definition.js';
import type { PanelId } from '../panel-id.js';

/** The panel bar, in order; `1`–`5` select by position. Later subsystems replace their placeholder entry. */
export const PANELS: readonly PanelDefinition[] = [
  { id: 'clusters', title: 'Clusters', Body: ClustersPanel, onAction: clustersAction },
  { id: 'drift', title: 'Drift', Body: DriftPanel, onAction: driftAction },
  { id: 'installs', title: 'Installs', Body: InstallsPanel, onAction: installsAction },
  { id: 'dr', title: 'DR', Body: DrPanel, onAction: drAction },
  { id: 'apps', title: 'Apps', Body: AppsPanel, onAction: appsAction },
];

export function panelById(id: PanelId): PanelDefinition {
  const panel = PANELS.find((candidate) => candidate.id === id);
  if (!panel) throw new Error(`panel ${id} is not registered`);
  return panel;
}
