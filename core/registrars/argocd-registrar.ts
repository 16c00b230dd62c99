/**
 * Registers clusters with ArgoCD declaratively: one Secret per cluster in the devops cluster's `argocd`
 * namespace, labelled `argocd.argoproj.io/secret-type: cluster`, with data `name`, `server` and `config`.
 */
import type { ClusterRecord } from '../inventory/types.js';
import { FleetError, ValidationError, errorMessage } from '../errors.js';
import { redactSecrets } from '../providers/redact.js';
import { decodeSecretValue, type SecretObject, type SecretsApi } from './secrets-api.js';
import { isRegistrableName, type ClusterCredentials, type EnsureResult, type Registrar, type Registration, type RegistrationContext } from './types.js';

export const ARGOCD_SECRET_TYPE_LABEL = 'argocd.argoproj.io/secret-type';
const MANAGED_BY = 'app.kubernetes.io/managed-by';
const CLUSTER_LABEL = 'fleetdeck.io/cluster';

export interface ArgoCdRegistrarOptions {
  namespace?: string;
}

export class ArgoCdRegistrar implements Registrar {
  readonly kind = 'argocd' as const;
  private readonly namespace: string;

  constructor(private readonly api: SecretsApi, opts: ArgoCdRegistrarOptions = {}) {
    this.namespace = opts.namespace ?? 'argocd';
  }

  static secretName(cluster: string): string {
    return `cluster-${cluster}`;
  }

  async ensure(cluster: ClusterRecord, ctx: RegistrationContext = {}): Promise<EnsureResult> {
    if (!isRegistrableName(cluster.name)) throw new ValidationError(`"${cluster.name}" is not a valid cluster name`, 'Use lower-case letters, digits and dashes.', 'name');
    if (!ctx.server) {
      throw new ValidationError(`no API server URL to register cluster "${cluster.name}" with ArgoCD`, 'Create the cluster first so its API server URL is known, then retry.', 'server');
    }
    const desired = this.desiredSecret(cluster.name, ctx.server, ctx.credentials);
    // The token may come back as itself, or inside the base64 of `config`.
    const secrets = [...secretValues(ctx.credentials), desired.data?.config ?? ''];
    const name = desired.metadata.name;
    const existing = await this.call(`reading ArgoCD cluster secret ${name}`, secrets, () => this.api.get(this.namespace, name));
    if (existing && sameContent(existing, desired)) return { action: 'unchanged', registration: toRegistration(existing) };
    const written = await this.call(`writing ArgoCD cluster secret ${name}`, secrets, () => this.api.apply(desired));
    return { action: existing ? 'updated' : 'created', registration: toRegistration(written) };
  }

  async remove(name: string): Promise<{ removed: boolean }> {
    const all = await this.listSecrets();
    const ours = all.filter((s) => s.metadata.name === ArgoCdRegistrar.secretName(name) || decodeSecretValue(s, 'name') === name);
    let removed = false;
    for (const secret of ours) {
      removed = (await this.call(`deleting ArgoCD cluster secret ${secret.metadata.name}`, [], () => this.api.delete(this.namespace, secret.metadata.name))) || removed;
    }
    return { removed };
  }

  async list(): Promise<Registration[]> {
    return (await this.listSecrets()).map(toRegistration).sort((a, b) => a.name.localeCompare(b.name));
  }

  private listSecrets(): Promise<SecretObject[]> {
    return this.call('listing ArgoCD cluster secrets', [], () => this.api.list(this.namespace, `${ARGOCD_SECRET_TYPE_LABEL}=cluster`));
  }

  private desiredSecret(name: string, server: string, credentials: ClusterCredentials = {}): SecretObject {
    const config: Record<string, unknown> = {};
    if (credentials.bearerToken) config.bearerToken = credentials.bearerToken;
    config.tlsClientConfig = { insecure: false, ...(credentials.tlsClientConfig ?? {}) };
    return {
      metadata: {
        name: ArgoCdRegistrar.secretName(name),
        namespace: this.namespace,
        labels: { [ARGOCD_SECRET_TYPE_LABEL]: 'cluster', [MANAGED_BY]: 'fleetdeck', [CLUSTER_LABEL]: name },
      },
      type: 'Opaque',
      data: { name: b64(name), server: b64(server), config: b64(JSON.stringify(config)) },
    };
  }

  /** Errors from the API may echo the secret; scrub them before they travel anywhere. */
  private async call<T>(action: string, secrets: string[], fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      const message = redactSecrets(errorMessage(error), secrets);
      if (error instanceof FleetError) throw new FleetError(error.code, `${action}: ${message}`, error.hint, { namespace: this.namespace });
      throw new FleetError('EXTERNAL', `${action} in namespace ${this.namespace} failed: ${message}`, 'Check that the devops cluster is reachable and that ArgoCD is installed in it.', { namespace: this.namespace });
    }
  }
}

function toRegistration(secret: SecretObject): Registration {
  const labels = secret.metadata.labels ?? {};
  return {
    kind: 'argocd',
    name: decodeSecretValue(secret, 'name') ?? secret.metadata.name,
    target: decodeSecretValue(secret, 'server') ?? '',
    managed: labels[MANAGED_BY] === 'fleetdeck',
    details: { secret: secret.metadata.name, namespace: secret.metadata.namespace },
  };
}

function sameContent(existing: SecretObject, desired: SecretObject): boolean {
  const labels = existing.metadata.labels ?? {};
  const labelsMatch = Object.entries(desired.metadata.labels ?? {}).every(([k, v]) => labels[k] === v);
  const keys = ['name', 'server', 'config'];
  return labelsMatch && keys.every((k) => decodeSecretValue(existing, k) === decodeSecretValue(desired, k));
}

function secretValues(credentials: ClusterCredentials | undefined): string[] {
  if (!credentials) return [];
  const tls = credentials.tlsClientConfig ?? {};
  return [credentials.bearerToken, tls.keyData, tls.certData].filter((v): v is string => typeof v === 'string' && v !== '');
}

function b64(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64');
}
