/**
 * What ArgoCD needs to reach a cluster, read from the kubeconfig its provider reports (`k3d kubeconfig get`,
 * `kind get kubeconfig`): the context's server and its credentials in ArgoCD's declarative form — a bearer token,
 * or a client certificate and key, plus the CA. Values stay base64 PEM, as both formats keep them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ValidationError, errorMessage } from '../errors.js';
import type { ClusterCredentials } from './types.js';

interface Named<T> {
  name?: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

type Fields = Record<string, unknown>;

export interface KubeconfigAccess {
  server?: string;
  credentials: ClusterCredentials;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `*-data` as given, else the file the kubeconfig names, base64-encoded. */
function dataOrFile(fields: Fields, key: string): string | undefined {
  const inline = text(fields[`${key}-data`]);
  if (inline) return inline;
  const path = text(fields[key]);
  return path ? readFileSync(path).toString('base64') : undefined;
}

function find<T>(list: unknown, name: unknown): T | undefined {
  if (!Array.isArray(list)) return undefined;
  return (list as Named<T>[]).find((entry) => entry.name === name) as T | undefined;
}

/**
 * The YAML parser, loaded on first use: it costs 30-50 ms to load, and this module is in the engine's import
 * graph, which every command loads. `yaml` is CommonJS for Node, so it can be required synchronously.
 */
let yamlParse: ((text: string) => unknown) | null = null;
function parseYaml(text: string): unknown {
  yamlParse ??= (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse;
  return yamlParse(text);
}

export function accessFromKubeconfig(yaml: string, context?: string): KubeconfigAccess {
  let doc: Fields;
  try {
    doc = (parseYaml(yaml) ?? {}) as Fields;
  } catch (error) {
    // The YAML parser quotes the offending line; it may hold a credential, so only its kind is told.
    throw new ValidationError(`the cluster's kubeconfig cannot be parsed (${errorMessage(error).split(/[:\n]/)[0] ?? 'invalid YAML'})`,
      'Check what the provider prints for the kubeconfig (k3d kubeconfig get / kind get kubeconfig).');
  }
  const contextName = find<Named<Fields>>(doc['contexts'], context) ? context : doc['current-context'];
  const ctx = find<Named<Fields>>(doc['contexts'], contextName)?.context ?? {};
  const cluster = find<Named<Fields>>(doc['clusters'], ctx['cluster'])?.cluster ?? {};
  const user = find<Named<Fields>>(doc['users'], ctx['user'])?.user ?? {};
  const tls: NonNullable<ClusterCredentials['tlsClientConfig']> = {};
  const caData = dataOrFile(cluster, 'certificate-authority');
  const certData = dataOrFile(user, 'client-certificate');
  const keyData = dataOrFile(user, 'client-key');
  if (caData) tls.caData = caData;
  if (certData) tls.certData = certData;
  if (keyData) tls.keyData = keyData;
  if (cluster['insecure-skip-tls-verify'] === true) tls.insecure = true;
  const token = text(user['token']) ?? (text(user['tokenFile']) ? readFileSync(String(user['tokenFile']), 'utf8').trim() : undefined);
  const credentials: ClusterCredentials = {
    ...(token ? { bearerToken: token } : {}),
    ...(Object.keys(tls).length > 0 ? { tlsClientConfig: tls } : {}),
  };
  const server = text(cluster['server']);
  return { ...(server ? { server } : {}), credentials };
}
