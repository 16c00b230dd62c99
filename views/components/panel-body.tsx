import { useCockpit } from '../context.js';
import { PlaceholderPanel } from '../panels/placeholder-panel.js';
import { panelById } from '../panels/registry.js';
import { CreateOverlay } from './create-overlay.js';
import { DetailsOverlay } from './details-overlay.js';
import { HelpOverlay } from './help-overlay.js';
import { InstallLogOverlay } from './install-log-overlay.js';
import { PlanOverlay } from './plan-overlay.js';
import { TypedConfirmOverlay } from './typed-confirm-overlay.js';

/** The focused panel, or the overlay drawn in its place (so the frame never grows). */
export function PanelBody({ height, width }: { height: number; width: number }) {
  const panelId = useCockpit((s) => s.panel);
  const overlay = useCockpit((s) => s.overlay);
  switch (overlay?.kind) {
    case 'help': return <HelpOverlay height={height} />;
    case 'details': return <DetailsOverlay height={height} name={overlay.name} />;
    case 'typed-confirm': return <TypedConfirmOverlay height={height} overlay={overlay} />;
    case 'create': return <CreateOverlay height={height} overlay={overlay} />;
    case 'plan': return <PlanOverlay height={height} overlay={overlay} />;
    case 'log': return <InstallLogOverlay height={height} cluster={overlay.cluster} />;
    default: break;
  }
  const panel = panelById(panelId);
  if (!panel.Body) return <PlaceholderPanel height={height} width={width} title={panel.title} />;
  return <panel.Body height={height} width={width} />;
}
