/**
 * Registers clusters as Portainer Edge environments over Portainer's HTTP API:
 * `GET /api/endpoints`, `POST /api/endpoints` (form, EndpointCreationType=4), `PUT /api/endpoints/:id` (JSON, to move an
 * environment's PublicURL to the cluster's http port), `DELETE /api/endpoints/:id`.
 * Auth is an access token (`X-API-Key`) or a JWT from `POST /api/auth`.
 */
import type { ClusterRecord } from '../inventory/types.js';
import { FleetError, ValidationError } from '../errors.js';
import { redactSecrets, stripUrlCredentials } from '../providers/redact.js';
import { isRegistrableName, type EnsureResult, type Registrar, type Registration } from './types.js';

/** Portainer environment types that are Edge agents (Docker, Kubernetes). */
const EDGE_TYPES = new Set([4, 7]);
const EDGE_AGENT_CREATION_TYPE = '4';

export interface PortainerRegistrarOptions {
  /** Portainer base URL, e.g. https://portainer.local:9443 */
  url: string;
  apiKey?: string;
  username?: string;
  password?: string;
  /** The Portainer URL Edge agents connect back to; default `url`. */
  edgeServerUrl?: string;
  /** The host at which clusters publish their http port; an environment's PublicURL is http://HOST:<http port>. Default 127.0.0.1. */
  publicAddress?: string;
  groupId?: number;
  timeoutMs?: number;
}

interface PortainerEndpoint {
  Id: number;
  Name: string;
  Type: number;
  Status?: number;
  GroupId?: number;
  PublicURL?: string;
}

export class PortainerRegistrar implements Registrar {
  readonly kind = 'portainer' as const;
  private readonly base: string;
  private jwt: string | null = null;

  constructor(private readonly opts: PortainerRegistrarOptions) {
    this.base = opts.url.replace(/\/+$/, '');
    if (!opts.apiKey && !(opts.username && opts.password)) {
      throw new ValidationError('Portainer needs an access token or a username and password', 'Set portainer.apiKey (preferred) or portainer.username/password in the fleetdeck configuration.', 'portainer');
    }
  }

  async ensure(cluster: ClusterRecord): Promise<EnsureResult> {
    if (!isRegistrableName(cluster.name)) throw new ValidationError(`"${cluster.name}" is not a valid cluster name`, 'Use lower-case letters, digits and dashes.', 'name');
    const existing = (await this.endpoints()).find((e) => e.Name === cluster.name);
    if (!cluster.registerPortainer) {
      if (!existing) return { action: 'skipped', registration: null };
      await this.deleteEndpoint(existing.Id);
      return { action: 'removed', registration: null };
    }
    const publicUrl = `http://${this.opts.publicAddress ?? '127.0.0.1'}:${cluster.httpPort}`;
    if (existing && existing.PublicURL === publicUrl) return { action: 'unchanged', registration: toRegistration(existing) };
    if (existing) {
      // PUT keeps the environment (and its Edge key, so the agent stays connected); only the address changes.
      const updated = (await this.request('PUT', `/api/endpoints/${existing.Id}`, `updating environment ${cluster.name}`,
        JSON.stringify({ PublicURL: publicUrl }))) as PortainerEndpoint;
      return { action: 'updated', registration: toRegistration(updated) };
    }
    const form = new FormData();
    form.set('Name', cluster.name);
    form.set('EndpointCreationType', EDGE_AGENT_CREATION_TYPE);
    form.set('URL', this.opts.edgeServerUrl ?? this.base);
    form.set('PublicURL', publicUrl);
    form.set('GroupID', String(this.opts.groupId ?? 1));
    const created = (await this.request('POST', '/api/endpoints', `creating Edge environment ${cluster.name}`, form)) as PortainerEndpoint;
    return { action: 'created', registration: toRegistration(created) };
  }

  async remove(name: string): Promise<{ removed: boolean }> {
    const matches = (await this.endpoints()).filter((e) => e.Name === name);
    for (const endpoint of matches) await this.deleteEndpoint(endpoint.Id);
    return { removed: matches.length > 0 };
  }

  async list(): Promise<Registration[]> {
    return (await this.endpoints()).map(toRegistration).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Edge environments only: the local Docker environment Portainer starts with is not a cluster of ours. */
  private async endpoints(): Promise<PortainerEndpoint[]> {
    const all = (await this.request('GET', '/api/endpoints', 'listing environments')) as PortainerEndpoint[];
    return all.filter((e) => EDGE_TYPES.has(e.Type));
  }

  private async deleteEndpoint(id: number): Promise<void> {
    try {
      await this.request('DELETE', `/api/endpoints/${id}`, `deleting environment ${id}`);
    } catch (error) {
      if (!(error instanceof FleetError && error.code === 'NOT_FOUND')) throw error;
    }
  }

  private async request(method: string, path: string, action: string, body?: FormData | string, retried = false): Promise<unknown> {
    const headers: Record<string, string> = { ...(await this.authHeaders(action)), ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}) };
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, { method, headers, body: body ?? null, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000) });
    } catch (error) {
      throw this.unreachable(action, error);
    }
    if (response.status === 401 && this.jwt && !retried) {
      this.jwt = null; // expired JWT: log in again once
      return this.request(method, path, action, body, true);
    }
    const text = await response.text();
    if (!response.ok) throw this.httpError(response.status, text, action);
    return text === '' ? null : (JSON.parse(text) as unknown);
  }

  private async authHeaders(action: string): Promise<Record<string, string>> {
    if (this.opts.apiKey) return { 'X-API-Key': this.opts.apiKey };
    if (!this.jwt) {
      let response: Response;
      try {
        response = await fetch(`${this.base}/api/auth`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ Username: this.opts.username, Password: this.opts.password }),
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000),
        });
      } catch (error) {
        throw this.unreachable(action, error);
      }
      const text = await response.text();
      if (!response.ok) throw this.httpError(response.status === 422 || response.status === 400 ? 401 : response.status, text, 'logging in');
      this.jwt = (JSON.parse(text) as { jwt: string }).jwt;
    }
    return { Authorization: `Bearer ${this.jwt}` };
  }

  private display(): string {
    return stripUrlCredentials(this.base);
  }

  private unreachable(action: string, error: unknown): FleetError {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
    return new FleetError('UNAVAILABLE', `Portainer at ${this.display()} is unreachable while ${action} (${redactSecrets(cause, this.knownSecrets())})`, 'Check that Portainer is running and the URL in the fleetdeck configuration is right.', { url: this.display() });
  }

  private httpError(status: number, body: string, action: string): FleetError {
    const detail = redactSecrets(portainerMessage(body), this.knownSecrets());
    const what = `Portainer at ${this.display()} answered ${status} while ${action}${detail ? `: ${detail}` : ''}`;
    if (status === 401 || status === 403) return new FleetError('UNAUTHORIZED', what, 'Check the Portainer access token (or username and password) in the fleetdeck configuration.', { url: this.display(), status });
    if (status === 404) return new FleetError('NOT_FOUND', what, 'It may have been removed already; list the environments in Portainer.', { url: this.display(), status });
    if (status === 409) return new FleetError('CONFLICT', what, 'An environment of that name exists; remove it in Portainer or retry.', { url: this.display(), status });
    if (status >= 500) return new FleetError('UNAVAILABLE', what, 'Portainer is failing: check its logs and retry.', { url: this.display(), status });
    return new FleetError('EXTERNAL', what, 'Check the Portainer version (fleetdeck speaks the 2.x API).', { url: this.display(), status });
  }

  private knownSecrets(): string[] {
    return [this.opts.apiKey, this.opts.password, this.jwt].filter((v): v is string => typeof v === 'string');
  }
}

function portainerMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: string; details?: string };
    return [parsed.message, parsed.details].filter(Boolean).join(': ');
  } catch {
    return body.slice(0, 200).trim();
  }
}

function toRegistration(endpoint: PortainerEndpoint): Registration {
  return {
    kind: 'portainer',
    name: endpoint.Name,
    target: `endpoint/${endpoint.Id}`,
    managed: true,
    details: { id: endpoint.Id, type: endpoint.Type, status: endpoint.Status ?? null, groupId: endpoint.GroupId ?? null, publicUrl: endpoint.PublicURL ?? null },
  };
}
