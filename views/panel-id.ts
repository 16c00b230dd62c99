/** The cockpit's panels, in panel-bar order; `1`–`5` select them. */
export const PANEL_IDS = ['clusters', 'drift', 'installs', 'dr', 'apps'] as const;
export type PanelId = (typeof PANEL_IDS)[number];

export function isPanelId(value: string): value is PanelId {
  return (PANEL_IDS as readonly string[]).includes(value);
}
