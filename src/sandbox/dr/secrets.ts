/**
 * The key DR secrets are sealed with: in the sandbox, the world's own key (FLEETDECK_SECRET_KEY wins when set), as
 * the dataplane's encrypted columns use; for a real fleet, FLEETDECK_SECRET_KEY (or none).
 */
import { SecretBox } from '../../../core/dataplane/secret-box.js';
import type { Engine } from '../../../core/engine.js';
import { sandboxSecretBox } from '../world/dataplane-seed.js';
import { worldLayout } from '../world/world-file.js';

export function drSecretsFor(engine: Engine): SecretBox | null {
  return engine.config.sandbox ? sandboxSecretBox(worldLayout(engine.config.dataDir)) : SecretBox.fromEnv();
}
