/**
 * Hosting an existing sandbox world and nothing else: what `fleetdeck sandbox serve` does once the world is built.
 * No database and no adapters are opened, so the API servers answer as soon as the process can listen.
 */
import { SandboxHost } from './host.js';
import { worldLayout } from './world-file.js';

export interface ServedWorld {
  readonly host: SandboxHost;
  close(): Promise<void>;
}

export async function serveSandboxWorld(dataDir: string, onNotice: (line: string) => void): Promise<ServedWorld> {
  const host = new SandboxHost(worldLayout(dataDir), { onNotice });
  await host.claim();
  // While another process hosts the world, take over when it exits.
  const retake = setInterval(() => void host.claim().catch(() => undefined), 1000);
  retake.unref();
  return {
    host,
    async close() {
      clearInterval(retake);
      await host.stop();
    },
  };
}
