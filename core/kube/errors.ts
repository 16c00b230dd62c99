/** Maps whatever client-node or the network threw into a FleetError naming the context and server. */
import { FleetError, errorMessage, type ErrorCode } from '../errors.js';

export interface CallSite {
  context: string;
  server: string;
  /** What was attempted, e.g. `get Deployment web in namespace demo`. */
  action: string;
}

interface StatusBody {
  message?: string;
  reason?: string;
}

function statusBody(body: unknown): StatusBody {
  if (typeof body === 'string') {
    try {
      return statusBody(JSON.parse(body) as unknown);
    } catch {
      return { message: body };
    }
  }
  if (typeof body === 'object' && body !== null) {
    const b = body as Record<string, unknown>;
    return {
      ...(typeof b['message'] === 'string' ? { message: b['message'] } : {}),
      ...(typeof b['reason'] === 'string' ? { reason: b['reason'] } : {}),
    };
  }
  return {};
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET']);

function networkCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; typeof e === 'object' && e !== null && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  const text = errorMessage(error);
  return [...NETWORK_CODES].find((c) => text.includes(c));
}

function httpCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}

export function timeoutError(site: CallSite, timeoutMs: number): FleetError {
  return new FleetError(
    'TIMEOUT',
    `${site.action} on kube context "${site.context}" got no answer within ${timeoutMs} ms`,
    `Check that the API server ${site.server} is up and not overloaded; raise the kube timeout if the cluster is just slow.`,
    { context: site.context, server: site.server, timeoutMs },
  );
}

export function mapKubeError(error: unknown, site: CallSite): FleetError {
  if (error instanceof FleetError) return error;
  const where = { context: site.context, server: site.server };
  const status = httpCode(error);
  if (status !== undefined) {
    const body = statusBody((error as { body?: unknown }).body);
    const detail = body.message ?? `HTTP ${status}`;
    const make = (code: ErrorCode, hint: string): FleetError =>
      new FleetError(code, `${site.action} on kube context "${site.context}" failed: ${detail}`, hint, { ...where, status, ...(body.reason === undefined ? {} : { reason: body.reason }) });
    if (status === 401) return make('UNAUTHORIZED', `The credentials for context "${site.context}" were refused by ${site.server}; refresh the token or client certificate in its kubeconfig.`);
    if (status === 403) return make('FORBIDDEN', `The user of context "${site.context}" lacks RBAC permission for this; grant it a Role/ClusterRole or use another context.`);
    if (status === 404) return make('NOT_FOUND', `Check the name and namespace, and that the resource type is installed (CRD) on context "${site.context}".`);
    if (status === 409) return make('CONFLICT', body.reason === 'AlreadyExists' ? 'It already exists; update it instead of creating it.' : 'Someone changed it meanwhile; read the latest version and try again.');
    if (status === 400 || status === 422 || status === 415) return make('VALIDATION', `The API server ${site.server} rejected the object; fix the fields named above.`);
    if (status === 410) return make('CONFLICT', 'The resourceVersion is too old; list again and watch from the new resourceVersion.');
    if (status === 429 || status >= 500) return make('UNAVAILABLE', `The API server ${site.server} of context "${site.context}" is failing or overloaded; try again shortly.`);
    return make('EXTERNAL', `Unexpected answer from ${site.server}; see the message above.`);
  }
  const net = networkCode(error);
  if (net !== undefined) {
    return new FleetError('UNAVAILABLE', `${site.action} on kube context "${site.context}" failed: cannot reach ${site.server} (${net})`, `Check that the cluster of context "${site.context}" is running and that ${site.server} is reachable from here.`, { ...where, network: net });
  }
  const text = errorMessage(error);
  if (text.startsWith('Unrecognized API version and kind')) {
    return new FleetError('NOT_FOUND', `${site.action} on kube context "${site.context}" failed: the cluster does not serve that kind (${text.slice('Unrecognized API version and kind: '.length)})`, `Install the CRD or check the apiVersion; \`kubectl --context ${site.context} api-resources\` lists what the cluster serves.`, where);
  }
  return new FleetError('EXTERNAL', `${site.action} on kube context "${site.context}" failed: ${text}`, `Check the cluster at ${site.server}.`, where);
}
