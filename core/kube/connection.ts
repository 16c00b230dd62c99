/** Builds one client-node KubeConfig per kube context, from kubeconfig files or connection data in the database. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { FleetError, NotFoundError, ValidationError, errorMessage } from '../errors.js';

export type KubeConnection =
  /** `KUBECONFIG` (colon-separated list) or `~/.kube/config`, or an explicit file. */
  | { kind: 'kubeconfig-file'; path?: string; context?: string }
  /** A kubeconfig document held as text (e.g. in the database). */
  | { kind: 'kubeconfig'; yaml: string; context?: string }
  /** Connection data held in the database: server URL plus a token or a client certificate. */
  | {
      kind: 'server';
      /** Name used for messages and as the context name. */
      name: string;
      server: string;
      token?: string;
      /** PEM or base64 PEM. */
      clientCertificate?: string;
      clientKey?: string;
      certificateAuthority?: string;
      insecureSkipTlsVerify?: boolean;
      namespace?: string;
    };

export interface KubeConfigSource {
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
}

/** The kubeconfig files in effect: `KUBECONFIG` entries that exist, else `~/.kube/config`. */
export function defaultKubeconfigPaths(source: KubeConfigSource = {}): string[] {
  const env = source.env ?? process.env;
  const fromEnv = (env['KUBECONFIG'] ?? '').split(delimiter).filter((p) => p !== '' && existsSync(p));
  if (fromEnv.length > 0) return fromEnv;
  const home = join(source.homeDir ?? homedir(), '.kube', 'config');
  return existsSync(home) ? [home] : [];
}

function loadFiles(paths: string[]): KubeConfig {
  const merged = new KubeConfig();
  for (const path of paths) {
    const one = new KubeConfig();
    try {
      one.loadFromFile(path);
    } catch (error) {
      throw new ValidationError(`kubeconfig ${path} cannot be read: ${errorMessage(error)}`, 'Fix or replace the file; `kubectl config view` shows what kubectl makes of it.');
    }
    if (merged.getContexts().length === 0) merged.loadFromOptions({ clusters: one.clusters, users: one.users, contexts: one.contexts, currentContext: one.getCurrentContext() });
    else merged.mergeConfig(one, true);
  }
  return merged;
}

function base64Pem(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.trimStart().startsWith('-----BEGIN') ? Buffer.from(value).toString('base64') : value;
}

/** Every kubeconfig the connection names, with its contexts; use `forContext` to pick one. */
export function loadKubeConfig(connection: KubeConnection, source: KubeConfigSource = {}): KubeConfig {
  switch (connection.kind) {
    case 'kubeconfig-file': {
      const paths = connection.path === undefined ? defaultKubeconfigPaths(source) : [connection.path];
      if (paths.length === 0) throw new NotFoundError('kubeconfig', 'KUBECONFIG or ~/.kube/config', 'Set KUBECONFIG to a kubeconfig file, or register the cluster with its server URL and credentials.');
      if (connection.path !== undefined && !existsSync(connection.path)) throw new NotFoundError('kubeconfig', connection.path, 'Check the path, or set KUBECONFIG.');
      return loadFiles(paths);
    }
    case 'kubeconfig': {
      const kc = new KubeConfig();
      try {
        kc.loadFromString(connection.yaml);
      } catch (error) {
        throw new ValidationError(`the stored kubeconfig cannot be parsed: ${errorMessage(error)}`, 'Store a valid kubeconfig for this cluster again.');
      }
      return kc;
    }
    case 'server': {
      let url: URL;
      try {
        url = new URL(connection.server);
      } catch {
        throw new ValidationError(`server "${connection.server}" of cluster "${connection.name}" is not a URL`, 'Use https://HOST:PORT (or http:// for a sandbox).', 'server');
      }
      const kc = new KubeConfig();
      const caData = base64Pem(connection.certificateAuthority);
      const certData = base64Pem(connection.clientCertificate);
      const keyData = base64Pem(connection.clientKey);
      kc.loadFromOptions({
        clusters: [{ name: connection.name, server: url.toString().replace(/\/$/, ''), skipTLSVerify: connection.insecureSkipTlsVerify === true, ...(caData === undefined ? {} : { caData }) }],
        users: [{ name: connection.name, ...(connection.token === undefined ? {} : { token: connection.token }), ...(certData === undefined ? {} : { certData }), ...(keyData === undefined ? {} : { keyData }) }],
        contexts: [{ name: connection.name, cluster: connection.name, user: connection.name, ...(connection.namespace === undefined ? {} : { namespace: connection.namespace }) }],
        currentContext: connection.name,
      });
      return kc;
    }
  }
}

/** A KubeConfig holding exactly one context, current; independent clients per context never share state. */
export function forContext(kc: KubeConfig, context: string | undefined): KubeConfig {
  const name = context ?? kc.getCurrentContext();
  const ctx = kc.getContextObject(name);
  if (ctx === null || name === '') {
    const known = kc.getContexts().map((c) => c.name);
    throw new NotFoundError('kube context', name, known.length > 0 ? `Known contexts: ${known.join(', ')}.` : 'The kubeconfig has no contexts; add one with `kubectl config set-context`.');
  }
  const cluster = kc.getCluster(ctx.cluster);
  if (cluster === null) throw new FleetError('VALIDATION', `kube context "${name}" names cluster "${ctx.cluster}", which the kubeconfig lacks`, 'Fix the kubeconfig: every context needs a cluster entry.');
  const user = ctx.user === undefined ? null : kc.getUser(ctx.user);
  const one = new KubeConfig();
  // client-node refuses plain http unless TLS verification is declared off; kubectl does not care.
  const plainHttp = cluster.server.startsWith('http:');
  one.loadFromOptions({ clusters: [plainHttp ? { ...cluster, skipTLSVerify: true } : cluster], users: user === null ? [] : [user], contexts: [ctx], currentContext: name });
  return one;
}

export function contextNames(kc: KubeConfig): string[] {
  return kc.getContexts().map((c) => c.name);
}
