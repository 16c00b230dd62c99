import type { Engine } from '../../core/engine.js';
import type { DataplaneOptions } from '../../core/dataplane/index.js';
import { sandboxHelmCli } from '../sandbox/helm/sandbox-helm.js';
import { sandboxSecretBox } from '../sandbox/world/dataplane-seed.js';
import { worldLayout } from '../sandbox/world/world-file.js';

/**
 * The dataplane adapters for this engine: in the sandbox, the sandbox helm (through the world's kubeconfig) and the
 * world's own encryption key; for a real fleet, the defaults (helm on PATH, FLEETDECK_SECRET_KEY). Clusters that
 * name a kube context are reached through the engine's fleet either way. `extra` wins over both.
 */
export function dataplaneOptionsFor(engine: Engine, extra: DataplaneOptions = {}): DataplaneOptions {
  if (!engine.config.sandbox) return extra;
  const layout = worldLayout(engine.config.dataDir);
  return { helm: sandboxHelmCli(layout), secrets: sandboxSecretBox(layout), ...extra };
}
