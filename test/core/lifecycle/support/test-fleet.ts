/**
 * A fleet of real parts for lifecycle and drift tests: a bare Git remote, fake k3d/kind CLIs with a state file,
 * the loopback Portainer server, an HAProxy config checked by the real `haproxy -c`, ArgoCD secrets in a file.
 * The setup is plain JSON so a worker process builds the very same ports.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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
}

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
      haproxy: new HaproxyRegistrar({ configPath: setup.haproxyConfig, domain: 'test.local' }),
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
  const tools = fakeTools();
  const portainer = await startPortainerServer({ apiKey: PORTAINER_KEY });
  const setup: TestFleetSetup = {
    root, gitUrl, portainerUrl: portainer.url, portainerKey: PORTAINER_KEY,
    haproxyConfig: join(root, 'haproxy.cfg'), secretsFile: join(root, 'argocd-secrets.json'), toolsEnv: tools.env,
  };
  const git = async (...args: string[]): Promise<string> => (await execa('git', args, { cwd: gitUrl })).stdout;
  return {
    setup, tools, portainer, git,
    ports: buildPorts(setup),
    async branches() {
      return (await git('for-each-ref', '--format=%(refname:short)', 'refs/heads')).split('\n').filter(Boolean).sort();
    },
    async close() {
      await portainer.close();
      tools.cleanup();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
