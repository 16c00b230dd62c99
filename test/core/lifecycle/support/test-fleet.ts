/**
 * A fleet of real parts for lifecycle and drift tests: a bare Git remote, fake k3d/kind CLIs with a state file,
 * the loopback Portainer server, an HAProxy config checked by the real `haproxy -c`, ArgoCD secrets in a file.
 * The setup is plain JSON so a worker process builds the very same ports.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { SimpleGitRemote } from '../../../../core/gitops/simple-git-remote.js';
import type { FleetPorts } from '../../../../core/lifecycle/ports.js';
import { K3dProvider } from '../../../../core/providers/k3d-provider.js';
import { KindProvider } from '../../../../core/providers/kind-provider.js';
import { ArgoCdRegistrar } from '../../../../core/registrars/argocd-registrar.js';
import { HaproxyRegistrar } from '../../../../core/registrars/haproxy-registrar.js';
import { PortainerRegistrar } from '../../../../core/registrars/portainer-registrar.js';
import { startPortainerServer, type PortainerServer } from '../../../support/portainer-server.js';
import { fakeTools, type FakeTools } from '../../../support/fake-bin/fake-tools.js';
import { FileSecrets } from './file-secrets.js';

export interface TestFleetSetup {
  root: string;
  gitUrl: string;
  portainerUrl: string;
  portainerKey: string;
  haproxyConfig: string;
  secretsFile: string;
  toolsEnv: Record<string, string>;
  /** argv HAProxy is reloaded with: a script that hangs while the `haproxy` pause is on (see `TestFleet.pause`). */
  haproxyReload?: string[];
}

/** Effects a crash test can make hang half-way: a Git push (a pre-receive hook), the HAProxy reload, a provider CLI call. */
export type PausedEffect = 'git' | 'haproxy';

export const PORTAINER_KEY = 'ptr_test_key_canary';

export function buildPorts(setup: TestFleetSetup): FleetPorts {
  const cacheDir = join(setup.root, `git-cache-${process.pid}`);
  mkdirSync(cacheDir, { recursive: true });
  return {
    providers: { k3d: new K3dProvider({ env: setup.toolsEnv }), kind: new KindProvider({ env: setup.toolsEnv }) },
    git: new SimpleGitRemote({ url: setup.gitUrl, cacheDir, manifests: { domain: 'test.local' } }),
    registrars: {
      portainer: new PortainerRegistrar({ url: setup.portainerUrl, apiKey: setup.portainerKey }),
      argocd: new ArgoCdRegistrar(new FileSecrets(setup.secretsFile)),
      haproxy: new HaproxyRegistrar({ configPath: setup.haproxyConfig, domain: 'test.local', ...(setup.haproxyReload ? { reloadCommand: setup.haproxyReload } : {}) }),
    },
  };
}

export interface TestFleet {
  setup: TestFleetSetup;
  ports: FleetPorts;
  tools: FakeTools;
  portainer: PortainerServer;
  git(...args: string[]): Promise<string>;
  branches(): Promise<string[]>;
  /**
   * Makes the next Git push or HAProxy reload hang until `resume()`; `marker` gets a line when it starts hanging.
   * The hang happens in a child process (the hook, the reload script) of whoever pushes or reloads.
   */
  pause(effect: PausedEffect): { marker: string; resume(): void };
  /** A setup whose provider CLIs hang half-way through `call` ("k3d cluster create"), for a worker process. */
  pausingTools(call: string): { setup: TestFleetSetup; marker: string };
  /** How many HAProxy reloads finished. */
  reloads(): number;
  /** Whether the last finished HAProxy reload loaded the config file as it is now (false when none finished). */
  haproxyRunsCurrentConfig(): boolean;
  close(): Promise<void>;
}

export async function openTestFleet(): Promise<TestFleet> {
  const root = mkdtempSync(join(tmpdir(), 'fleetdeck-lifecycle-'));
  const gitUrl = join(root, 'fleet.git');
  await execa('git', ['init', '--bare', '--quiet', '--initial-branch=main', gitUrl]);
  const work = join(root, 'seed');
  mkdirSync(work);
  await execa('git', ['init', '--quiet', '--initial-branch=main'], { cwd: work });
  await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '--allow-empty', '-m', 'initial'], { cwd: work });
  await execa('git', ['push', '--quiet', gitUrl, 'main:refs/heads/main', 'main:refs/heads/devops'], { cwd: work });
  // Both hang while their flag file exists, in a child of the pushing / reloading process, so kill -9 of that
  // process group interrupts the push (nothing lands) or the reload (the config is written, not yet loaded).
  const flag = (effect: PausedEffect): string => join(root, `pause-${effect}`);
  const marker = (effect: PausedEffect): string => join(root, `paused-${effect}`);
  const hang = (effect: PausedEffect): string => `if [ -e '${flag(effect)}' ]; then echo hanging >> '${marker(effect)}'; sleep 600; fi`;
  writeFileSync(join(gitUrl, 'hooks', 'pre-receive'), `#!/bin/sh
${hang('git')}
cat > /dev/null
`, { mode: 0o755 });
  const reloadScript = join(root, 'haproxy-reload.sh');
  writeFileSync(reloadScript, `#!/bin/sh
${hang('haproxy')}
sha256sum < '${join(root, 'haproxy.cfg')}' | cut -d' ' -f1 >> '${join(root, 'haproxy-reloads.log')}'
`, { mode: 0o755 });
  const tools = fakeTools();
  const portainer = await startPortainerServer({ apiKey: PORTAINER_KEY });
  const setup: TestFleetSetup = {
    root, gitUrl, portainerUrl: portainer.url, portainerKey: PORTAINER_KEY,
    haproxyConfig: join(root, 'haproxy.cfg'), secretsFile: join(root, 'argocd-secrets.json'), toolsEnv: tools.env,
    haproxyReload: ['sh', reloadScript],
  };
  const git = async (...args: string[]): Promise<string> => (await execa('git', args, { cwd: gitUrl })).stdout;
  /** One line per finished reload: the sha256 of the config file it loaded. */
  const reloadLog = (): string[] => {
    const log = join(root, 'haproxy-reloads.log');
    return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  };
  return {
    setup, tools, portainer, git,
    ports: buildPorts(setup),
    async branches() {
      return (await git('for-each-ref', '--format=%(refname:short)', 'refs/heads')).split('\n').filter(Boolean).sort();
    },
    pause(effect) {
      writeFileSync(flag(effect), '');
      rmSync(marker(effect), { force: true });
      return { marker: marker(effect), resume: () => rmSync(flag(effect), { force: true }) };
    },
    pausingTools(call) {
      const file = join(root, `paused-${call.replace(/\W+/g, '-')}`);
      rmSync(file, { force: true });
      return { setup: { ...setup, toolsEnv: { ...tools.env, FAKE_TOOL_PAUSE: call, FAKE_TOOL_PAUSED_FILE: file } }, marker: file };
    },
    reloads() {
      return reloadLog().length;
    },
    haproxyRunsCurrentConfig() {
      const loaded = reloadLog().at(-1);
      return loaded !== undefined && loaded === createHash('sha256').update(readFileSync(setup.haproxyConfig)).digest('hex');
    },
    async close() {
      await portainer.close();
      tools.cleanup();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
