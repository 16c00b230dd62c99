/**
 * Adapters whose modules load on first use. Hosting the sandbox's API servers must not wait for the Kubernetes
 * client, simple-git or execa to be imported (together well over a second), and most commands use few of them.
 */
import type { GitRemote } from '../../../core/gitops/types.js';
import type { KubeGateway } from '../../../core/kube/types.js';
import type { Registrar } from '../../../core/registrars/types.js';

type Methods<T> = { [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never }[keyof T];

/** An object with `fixed` properties and async methods that call the same methods of what `load` resolves to. */
function forwarding<T extends object>(fixed: Partial<T>, methods: readonly Methods<T>[], load: () => Promise<T>): T {
  const out: Record<string, unknown> = { ...fixed };
  for (const name of methods) {
    out[name as string] = async (...args: unknown[]) => {
      const target = await load();
      return (target[name] as (...a: unknown[]) => Promise<unknown>).apply(target, args);
    };
  }
  return out as T;
}

/** Loads once, on the first call. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | null = null;
  return () => (loaded ??= load());
}

const GATEWAY_METHODS = ['version', 'get', 'find', 'list', 'create', 'replace', 'patch', 'apply', 'delete', 'watch'] as const;

/** A gateway that resolves its client on every call (`load` may follow the cluster to another port). */
export function lazyGateway(context: string, server: () => string, load: () => Promise<KubeGateway>): KubeGateway {
  const gateway = forwarding<KubeGateway>({ context }, GATEWAY_METHODS, load);
  Object.defineProperty(gateway, 'server', { get: server, enumerable: true });
  return gateway;
}

export function lazyGit(displayUrl: string, load: () => Promise<GitRemote>): GitRemote {
  return forwarding<GitRemote>({ displayUrl }, ['listBranches', 'ensureBranch', 'updateBranch', 'deleteBranch', 'archiveBranch', 'readBranchFile'], once(load));
}

export function lazyRegistrar(kind: Registrar['kind'], load: () => Promise<Registrar>): Registrar {
  return forwarding<Registrar>({ kind }, ['ensure', 'remove', 'list'], once(load));
}
