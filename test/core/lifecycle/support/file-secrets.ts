/** A SecretsApi kept in a JSON file, so a killed worker process and the test share ArgoCD's cluster secrets. */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { SecretObject, SecretsApi } from '../../../../core/registrars/secrets-api.js';

export class FileSecrets implements SecretsApi {
  constructor(private readonly path: string) {}

  private load(): Record<string, SecretObject> {
    return existsSync(this.path) ? (JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, SecretObject>) : {};
  }

  private save(all: Record<string, SecretObject>): void {
    writeFileSync(`${this.path}.${process.pid}.tmp`, JSON.stringify(all));
    renameSync(`${this.path}.${process.pid}.tmp`, this.path);
  }

  async list(namespace: string, labelSelector: string): Promise<SecretObject[]> {
    const wanted = labelSelector.split(',').filter(Boolean).map((term) => term.split('=') as [string, string]);
    return Object.values(this.load()).filter((s) => s.metadata.namespace === namespace && wanted.every(([k, v]) => s.metadata.labels?.[k] === v));
  }

  async get(namespace: string, name: string): Promise<SecretObject | null> {
    return this.load()[`${namespace}/${name}`] ?? null;
  }

  async apply(secret: SecretObject): Promise<SecretObject> {
    const all = this.load();
    const data = { ...(secret.data ?? {}) };
    for (const [k, v] of Object.entries(secret.stringData ?? {})) data[k] = Buffer.from(v).toString('base64');
    const stored: SecretObject = { metadata: { ...secret.metadata }, type: secret.type ?? 'Opaque', data };
    all[`${secret.metadata.namespace}/${secret.metadata.name}`] = stored;
    this.save(all);
    return stored;
  }

  async delete(namespace: string, name: string): Promise<boolean> {
    const all = this.load();
    const key = `${namespace}/${name}`;
    if (!all[key]) return false;
    delete all[key];
    this.save(all);
    return true;
  }
}
