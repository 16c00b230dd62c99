import { useCockpit } from '../context.js';
import { PlaceholderPanel } from '../panels/placeholder-panel.js';
import { panelById } from '../panels/registry.js';
import { ConfirmOverlay } from './confirm-overlay.js';
import { DetailsOverlay } from './details-overlay.js';
import { HelpOverlay } from './help-overlay.js';

/** The focused panel, or the overlay drawn in its place (so the frame never grows). */
export function PanelBody({ height, width }: { height: number; width: number }) {
  const panelId = useCockpit((s) => s.panel);
  const overlay = useCockpit((s) => s.overlay);
  if (overlay?.kind === 'help') return <HelpOverlay height={height} />;
  if (overlay?.kind === 'details') return <DetailsOverlay height={height} name={overlay.name} />;
  if (overlay?.kind === 'confirm') {
    return <ConfirmOverlay height={height} title={overlay.title} targets={overlay.targets} choice={overlay.choice}
      confirmLabel={overlay.action === 'delete' ? 'Delete' : 'Apply'} />;
  }
  const panel = panelById(panelId);
  if (!panel.Body) return <PlaceholderPanel height={height} width={width} title={panel.title} />;
  return <panel.Body height={height} width={width} />;
}
