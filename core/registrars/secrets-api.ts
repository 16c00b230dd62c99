/**
 * The slice of the Kubernetes API the ArgoCD registrar needs. The composition root wires a client-node
 * implementation against the devops cluster; tests use an in-memory one.
 */
export interface SecretObject {
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
  };
  type?: string;
  /** base64 values, as the API returns them. */
  data?: Record<string, string>;
  /** plain values; write-only on a real API server (merged into data). */
  stringData?: Record<string, string>;
}

export interface SecretsApi {
  /** `labelSelector` in Kubernetes syntax, e.g. `argocd.argoproj.io/secret-type=cluster`. */
  list(namespace: string, labelSelector: string): Promise<SecretObject[]>;
  get(namespace: string, name: string): Promise<SecretObject | null>;
  /** Create, or replace an existing secret of the same name. */
  apply(secret: SecretObject): Promise<SecretObject>;
  /** false when it did not exist. */
  delete(namespace: string, name: string): Promise<boolean>;
}

export function decodeSecretValue(secret: SecretObject, key: string): string | undefined {
  const plain = secret.stringData?.[key];
  if (plain !== undefined) return plain;
  const encoded = secret.data?.[key];
  return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
}
