/**
 * The Registrar port (seed 002): the systems that must learn about each cluster — ArgoCD (a cluster Secret),
 * Portainer (an Edge environment) and HAProxy (a host route). Each is ensure / remove / list, idempotent.
 */
import type { ClusterRecord } from '../inventory/types.js';

export type RegistrarKind = 'argocd' | 'portainer' | 'haproxy';

/** One cluster as a registration system knows it. Never carries credentials. */
export interface Registration {
  kind: RegistrarKind;
  name: string;
  /** Where it points: the API server URL (ArgoCD), the environment id (Portainer), the backend address (HAProxy). */
  target: string;
  /** Written by fleetdeck (as opposed to by hand or by older scripts). */
  managed: boolean;
  details: Record<string, string | number | boolean | null>;
}

/** How registrars may reach the cluster's API server; ArgoCD needs it, the others ignore it. */
export interface ClusterCredentials {
  bearerToken?: string;
  tlsClientConfig?: { caData?: string; certData?: string; keyData?: string; insecure?: boolean; serverName?: string };
}

export interface RegistrationContext {
  /** The cluster's API server URL as the registering system reaches it. */
  server?: string;
  credentials?: ClusterCredentials;
}

/**
 * `removed`: the record's flags say it should not be registered (registerPortainer / haproxyRoute false) and an
 * existing registration was taken away; `skipped`: not wanted and not there.
 */
export type EnsureAction = 'created' | 'updated' | 'unchanged' | 'removed' | 'skipped';

export interface EnsureResult {
  action: EnsureAction;
  registration: Registration | null;
}

export interface Registrar {
  readonly kind: RegistrarKind;
  ensure(cluster: ClusterRecord, ctx?: RegistrationContext): Promise<EnsureResult>;
  /** Idempotent: `{ removed: false }` when there was nothing to remove. */
  remove(name: string): Promise<{ removed: boolean }>;
  /** Every registration of this kind, in one call to the system. */
  list(): Promise<Registration[]>;
}

const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Cluster names end up in config files and URLs: only DNS labels get through. */
export function isRegistrableName(name: string): boolean {
  return NAME.test(name);
}
