/** Puts the sandbox `helm` on disk as an executable and builds the HelmCli that uses it. */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { HelmCli } from '../../../core/dataplane/index.js';
import { FleetError } from '../../../core/errors.js';
import type { WorldLayout } from '../world/world-file.js';

/** The compiled entry point; from the TypeScript sources (tests) it is the build's copy in dist/. */
export function sandboxHelmEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const direct = join(here, 'main.js');
  if (existsSync(direct)) return direct;
  const marker = `${sep}src${sep}sandbox${sep}helm`;
  const built = here.endsWith(marker) ? join(here.slice(0, -marker.length), 'dist', 'src', 'sandbox', 'helm', 'main.js') : direct;
  if (!existsSync(built)) {
    throw new FleetError('UNAVAILABLE', 'the sandbox helm is not built', 'Run `npm run build` (the sandbox helm runs from dist/).');
  }
  return built;
}

export function sandboxHelmPath(layout: WorldLayout): string {
  return join(layout.root, 'bin', 'helm');
}

/**
 * Writes `<sandbox>/bin/helm`: a node script (no shell) loading the entry point. An operator can put that directory
 * on PATH and run `helm list -A` against the sandbox with KUBECONFIG=<sandbox>/kubeconfig.
 */
export function installSandboxHelm(layout: WorldLayout): string {
  const path = sandboxHelmPath(layout);
  const script = `#!${process.execPath}\nimport(${JSON.stringify(pathToFileURL(sandboxHelmEntry()).href)});\n`;
  mkdirSync(dirname(path), { recursive: true });
  if (!existsSync(path) || readFileSync(path, 'utf8') !== script) writeFileSync(path, script, { mode: 0o755 });
  chmodSync(path, 0o755);
  return path;
}

/** The HelmCli of a sandbox world: its helm, talking to its clusters through its kubeconfig by default. */
export function sandboxHelmCli(layout: WorldLayout): HelmCli {
  return new HelmCli({ binary: installSandboxHelm(layout), env: { KUBECONFIG: layout.kubeconfig } });
}
