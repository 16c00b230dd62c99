/** An in-memory SecretsApi that behaves like the Kubernetes API for Secrets (stringData folds into base64 data). */
import type { SecretObject, SecretsApi } from '../../../core/registrars/index.js';

export class MemorySecrets implements SecretsApi {
  readonly store = new Map<string, SecretObject>();
  calls: string[] = [];
  private version = 1;
  /** When set, apply throws an error that echoes the submitted object, like a chatty admission webhook. */
  rejectApply = false;

  async list(namespace: string, labelSelector: string): Promise<SecretObject[]> {
    this.calls.push(`list ${namespace} ${labelSelector}`);
    const wanted = labelSelector.split(',').filter(Boolean).map((term) => term.split('=') as [string, string]);
    return [...this.store.values()]
      .filter((s) => s.metadata.namespace === namespace)
      .filter((s) => wanted.every(([k, v]) => s.metadata.labels?.[k] === v))
      .map((s) => structuredClone(s));
  }

  async get(namespace: string, name: string): Promise<SecretObject | null> {
    this.calls.push(`get ${namespace}/${name}`);
    const found = this.store.get(`${namespace}/${name}`);
    return found ? structuredClone(found) : null;
  }

  async apply(secret: SecretObject): Promise<SecretObject> {
    this.calls.push(`apply ${secret.metadata.namespace}/${secret.metadata.name}`);
    if (this.rejectApply) throw new Error(`admission webhook "policy" denied the request: ${JSON.stringify(secret)}`);
    const data = { ...(secret.data ?? {}) };
    for (const [k, v] of Object.entries(secret.stringData ?? {})) data[k] = Buffer.from(v).toString('base64');
    const stored: SecretObject = {
      metadata: { ...secret.metadata, resourceVersion: String(this.version++) },
      type: secret.type ?? 'Opaque',
      data,
    };
    this.store.set(`${secret.metadata.namespace}/${secret.metadata.name}`, stored);
    return structuredClone(stored);
  }

  async delete(namespace: string, name: string): Promise<boolean> {
    this.calls.push(`delete ${namespace}/${name}`);
    return this.store.delete(`${namespace}/${name}`);
  }
}
