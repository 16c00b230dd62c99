import type { KubeGateway, KubeObject } from '../kube/types.js';
import type { SecretObject, SecretsApi } from './secrets-api.js';

function toSecret(object: KubeObject): SecretObject {
  return {
    metadata: {
      name: object.metadata.name ?? '',
      namespace: object.metadata.namespace ?? '',
      ...(object.metadata.labels ? { labels: object.metadata.labels } : {}),
      ...(object.metadata.annotations ? { annotations: object.metadata.annotations } : {}),
      ...(object.metadata.resourceVersion ? { resourceVersion: object.metadata.resourceVersion } : {}),
    },
    ...(typeof object.type === 'string' ? { type: object.type } : {}),
    ...(object.data ? { data: object.data as Record<string, string> } : {}),
  };
}

/** The ArgoCD registrar's Secret access, through the KubeGateway of the cluster ArgoCD runs in. */
export class KubeSecretsApi implements SecretsApi {
  constructor(private readonly kube: KubeGateway) {}

  async list(namespace: string, labelSelector: string): Promise<SecretObject[]> {
    const list = await this.kube.list('v1', 'Secret', { namespace, labelSelector });
    return list.items.map(toSecret);
  }

  async get(namespace: string, name: string): Promise<SecretObject | null> {
    const found = await this.kube.find({ apiVersion: 'v1', kind: 'Secret', namespace, name });
    return found ? toSecret(found) : null;
  }

  async apply(secret: SecretObject): Promise<SecretObject> {
    const { resourceVersion: _ignored, ...metadata } = secret.metadata;
    await this.ensureNamespace(secret.metadata.namespace);
    const object: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata, ...(secret.type ? { type: secret.type } : {}),
      ...(secret.data ? { data: secret.data } : {}), ...(secret.stringData ? { stringData: secret.stringData } : {}) };
    const existing = await this.kube.find({ apiVersion: 'v1', kind: 'Secret', namespace: metadata.namespace, name: metadata.name });
    const written = existing
      ? await this.kube.replace({ ...object, metadata: { ...object.metadata, resourceVersion: existing.metadata.resourceVersion } })
      : await this.kube.create(object);
    return toSecret(written);
  }

  async delete(namespace: string, name: string): Promise<boolean> {
    return this.kube.delete({ apiVersion: 'v1', kind: 'Secret', namespace, name });
  }

  private async ensureNamespace(name: string): Promise<void> {
    const found = await this.kube.find({ apiVersion: 'v1', kind: 'Namespace', name });
    if (!found) await this.kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }).catch(() => undefined);
  }
}
