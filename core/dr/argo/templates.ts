/**
 * One Argo template per DR action, following seed 004 §11.3's mapping table:
 *
 * | DRWorkflow           | Argo Workflow                                            |
 * | -------------------- | -------------------------------------------------------- |
 * | `type: HTTP`         | `http` template                                          |
 * | `type: Job`          | `container` template (`containerSet` for several containers) |
 * | `type: Localization` | `resource` template (action create/apply/patch/delete)   |
 * | `type: Subscription` | `resource` template                                      |
 * | KubernetesResource, Globalization, HelmChart | `resource` template              |
 *
 * The action's timeout becomes activeDeadlineSeconds (whole seconds), its retryPolicy a retryStrategy. Secret
 * header values are never written: they are read from a Kubernetes Secret (secretKeyRef) at run time.
 */
import { stringify } from 'yaml';
import { parseGoDuration } from '../schema/duration.js';
import { isSecretHeader } from '../render/redact.js';
import type { Action, KubeObjectReference } from '../schema/types.js';
import { CLUSTERNET_API_VERSION } from '../actions/kube-objects.js';
import { ArgoExportError } from './translate.js';

export type ArgoTemplate = Record<string, unknown>;

export function dns(text: string, max = 63): string {
  const clean = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
  if (clean.length <= max) return clean;
  let hash = 0;
  for (const c of clean) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return `${clean.slice(0, max - 9).replace(/-+$/, '')}-${hash.toString(16).padStart(8, '0').slice(0, 8)}`;
}

/** The Kubernetes Secret an exported Workflow reads secret header values from. */
export function secretName(planName: string): string {
  return dns(`${planName}-dr-secrets`);
}

export function secondsOf(duration: string | undefined, path: string): number | undefined {
  if (duration === undefined) return undefined;
  const ms = parseGoDuration(duration);
  if (ms === null) throw new ArgoExportError(path, `"${duration}" is not a duration`, 'Use a Go duration such as 30s or 5m.');
  return Math.max(1, Math.ceil(ms / 1000));
}

function common(name: string, action: Action, path: string): ArgoTemplate {
  const deadline = secondsOf(action.timeout, `${path}.timeout`);
  const retry = action.retryPolicy && action.type !== 'Job'
    ? (() => {
      const factor = Number(action.retryPolicy.backoffMultiplier ?? '2.0');
      return { retryStrategy: { limit: action.retryPolicy.limit ?? 3, backoff: { duration: `${secondsOf(action.retryPolicy.interval ?? '5s', `${path}.retryPolicy.interval`)}s`, factor: Number.isInteger(factor) ? factor : String(factor) } } };
    })()
    : {};
  return { name, ...(deadline !== undefined ? { activeDeadlineSeconds: deadline } : {}), ...retry };
}

function argoResourceAction(operation: string | undefined): string {
  switch (operation) {
    case 'Apply': return 'apply';
    case 'Patch': return 'patch';
    case 'Delete': return 'delete';
    case 'Replace': return 'replace';
    default: return 'create';
  }
}

const POD_FIELDS = ['volumes', 'nodeSelector', 'tolerations', 'affinity', 'serviceAccountName', 'securityContext', 'initContainers', 'hostAliases', 'priorityClassName'] as const;

/** The template of one action (already translated to Argo's template syntax). */
export function actionTemplate(name: string, action: Action, planName: string, path: string): ArgoTemplate {
  const base = common(name, action, path);
  switch (action.type) {
    case 'HTTP': {
      const h = action.http!;
      for (const field of ['caData', 'caFile', 'certData', 'certFile', 'keyData', 'keyFile'] as const) {
        if (h[field]) throw new ArgoExportError(`${path}.http.${field}`, 'Argo\'s http template has no CA bundle or client certificate option', 'Remove the TLS files for the export, or call the endpoint from a Job.');
      }
      const codes = h.successCodes?.length ? h.successCodes.map((c) => `response.statusCode == ${c}`).join(' || ') : 'response.statusCode >= 200 && response.statusCode < 300';
      const headers = Object.entries(h.headers ?? {}).map(([k, v]) => (isSecretHeader(action, k)
        ? { name: k, valueFrom: { secretKeyRef: { name: secretName(planName), key: dns(k) } } }
        : { name: k, value: v }));
      const timeout = secondsOf(h.readTimeout, `${path}.http.readTimeout`);
      return {
        ...base,
        http: {
          url: h.url, method: h.method ?? 'GET', ...(headers.length ? { headers } : {}), ...(h.body ? { body: h.body } : {}), successCondition: codes,
          ...(h.insecureSkipVerify ? { insecureSkipVerify: true } : {}), ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}),
        },
      };
    }
    case 'Job': {
      const podSpec = ((action.job?.template.spec.template as { spec?: Record<string, unknown> } | undefined)?.spec ?? {}) as Record<string, unknown>;
      const containers = (podSpec.containers ?? []) as Record<string, unknown>[];
      if (containers.length === 0) throw new ArgoExportError(`${path}.job.template.spec.template.spec.containers`, 'a Job needs at least one container');
      const pod = Object.fromEntries(POD_FIELDS.filter((f) => podSpec[f] !== undefined).map((f) => [f, podSpec[f]]));
      const deadline = secondsOf(action.timeout, `${path}.timeout`) ?? (typeof action.job?.template.spec.activeDeadlineSeconds === 'number' ? action.job.template.spec.activeDeadlineSeconds : undefined);
      return {
        ...base, ...(deadline !== undefined ? { activeDeadlineSeconds: deadline } : {}), ...pod,
        ...(containers.length === 1 ? { container: containers[0] } : { containerSet: { containers } }),
      };
    }
    case 'KubernetesResource':
      return { ...base, resource: { action: argoResourceAction(action.resource?.operation), manifest: action.resource?.manifest ?? '', ...(action.resource?.operation === 'Patch' ? { mergeStrategy: 'merge' } : {}) } };
    default: {
      const config = action.localization ?? action.globalization ?? action.helmChart ?? action.subscription;
      const namespaced = action.type !== 'Globalization';
      const manifest = {
        apiVersion: CLUSTERNET_API_VERSION, kind: action.type,
        metadata: { name: config?.name, ...(namespaced ? { namespace: config?.namespace ?? 'default' } : {}) },
        ...(config?.operation === 'Delete' ? {} : { spec: config?.spec ?? {} }),
      };
      return { ...base, resource: { action: argoResourceAction(config?.operation), manifest: stringify(manifest), ...(config?.operation === 'Patch' ? { mergeStrategy: 'merge' } : {}) } };
    }
  }
}

/** The automatic inverse of seed 004 §7 as an Argo template: delete what the action created. */
export function deleteTemplate(name: string, ref: KubeObjectReference): ArgoTemplate {
  const manifest = { apiVersion: ref.apiVersion ?? (ref.kind === 'Job' ? 'batch/v1' : CLUSTERNET_API_VERSION), kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } };
  return { name, resource: { action: 'delete', flags: ['--ignore-not-found'], manifest: stringify(manifest) } };
}
