/** What the apiserver does to an object before storing it: validation and per-kind defaults. */
import { randomInt } from 'node:crypto';
import { isObject, type KubeObject, type JsonObject } from './json.js';
import { groupVersionOf, resourcesFromCrd, type ResourceType } from './resources.js';
import { badRequest, invalid } from './status.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(length = 5): string {
  let out = '';
  for (let i = 0; i < length; i++) out += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)];
  return out;
}

/** Checks kind, apiVersion and namespace of a request body against the URL it was sent to. */
export function checkIdentity(type: ResourceType, namespace: string | undefined, obj: unknown): KubeObject {
  if (!isObject(obj)) throw badRequest('the body of the request was in an unknown format - accepted media types include: application/json, application/yaml');
  const gv = groupVersionOf(type);
  if (obj['kind'] !== undefined && obj['kind'] !== type.kind) {
    throw badRequest(`the kind of the provided object (${String(obj['kind'])}) does not match the expected kind (${type.kind})`);
  }
  if (obj['apiVersion'] !== undefined && obj['apiVersion'] !== gv) {
    throw badRequest(`the API version in the data (${String(obj['apiVersion'])}) does not match the expected API version (${gv})`);
  }
  const metadata = isObject(obj['metadata']) ? { ...obj['metadata'] } : {};
  if (type.namespaced) {
    if (metadata['namespace'] !== undefined && metadata['namespace'] !== '' && metadata['namespace'] !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    metadata['namespace'] = namespace;
  } else {
    delete metadata['namespace'];
  }
  return { ...obj, apiVersion: gv, kind: type.kind, metadata } as KubeObject;
}

export function validateName(type: ResourceType, obj: KubeObject): void {
  const name = obj.metadata.name;
  if (name === undefined || name === '') {
    throw invalid(type.kind, type.group, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required', reason: 'FieldValueRequired' }]);
  }
  const pattern = type.kind === 'Namespace' ? DNS_LABEL : DNS_SUBDOMAIN;
  if (name.length > 253 || !pattern.test(name)) {
    throw invalid(type.kind, type.group, name, [
      { field: 'metadata.name', message: `Invalid value: "${name}": a lowercase RFC 1123 ${type.kind === 'Namespace' ? 'label' : 'subdomain'} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character` },
    ]);
  }
  for (const [field, map] of [['metadata.labels', obj.metadata.labels], ['metadata.annotations', obj.metadata.annotations]] as const) {
    if (map === undefined) continue;
    if (!isObject(map) || Object.values(map).some((v) => typeof v !== 'string')) {
      throw badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: ${field} values must be strings`);
    }
  }
  if (type.kind === 'CustomResourceDefinition') validateCrd(obj);
}

function validateCrd(obj: KubeObject): void {
  const spec = isObject(obj['spec']) ? obj['spec'] : {};
  const names = isObject(spec['names']) ? spec['names'] : {};
  const name = obj.metadata.name ?? '';
  const causes: { field: string; message: string }[] = [];
  if (typeof spec['group'] !== 'string') causes.push({ field: 'spec.group', message: 'Required value' });
  if (typeof names['plural'] !== 'string') causes.push({ field: 'spec.names.plural', message: 'Required value' });
  if (typeof names['kind'] !== 'string') causes.push({ field: 'spec.names.kind', message: 'Required value' });
  if (spec['scope'] !== 'Namespaced' && spec['scope'] !== 'Cluster') causes.push({ field: 'spec.scope', message: 'Unsupported value: must be Namespaced or Cluster' });
  if (causes.length === 0 && name !== `${String(names['plural'])}.${String(spec['group'])}`) {
    causes.push({ field: 'metadata.name', message: `Invalid value: "${name}": must be spec.names.plural+"."+spec.group` });
  }
  if (causes.length === 0 && resourcesFromCrd(obj).length === 0) causes.push({ field: 'spec.versions', message: 'Invalid value: must have exactly one version marked as storage version' });
  if (causes.length > 0) throw invalid('CustomResourceDefinition', 'apiextensions.k8s.io', name, causes);
}

function spec(obj: KubeObject): JsonObject {
  if (!isObject(obj['spec'])) obj['spec'] = {};
  return obj['spec'] as JsonObject;
}

let nextClusterIp = 1;

/** Defaults applied on create, the way the apiserver's strategies fill them in. */
export function defaultOnCreate(type: ResourceType, obj: KubeObject): void {
  switch (type.kind) {
    case 'Namespace':
      obj['status'] = { phase: 'Active' };
      break;
    case 'Pod':
      if (!isObject(obj['status'])) obj['status'] = { phase: 'Pending' };
      break;
    case 'PersistentVolumeClaim':
      spec(obj)['volumeMode'] ??= 'Filesystem';
      obj['status'] = { phase: 'Pending' };
      break;
    case 'PersistentVolume': {
      const s = spec(obj);
      s['persistentVolumeReclaimPolicy'] ??= 'Retain';
      s['volumeMode'] ??= 'Filesystem';
      obj['status'] = { phase: 'Pending', lastPhaseTransitionTime: obj.metadata.creationTimestamp };
      break;
    }
    case 'Ingress':
      obj['status'] = { loadBalancer: {} };
      break;
    case 'Secret': {
      if (obj['type'] === undefined) obj['type'] = 'Opaque';
      const stringData = obj['stringData'];
      if (isObject(stringData)) {
        const data: JsonObject = isObject(obj['data']) ? { ...obj['data'] } : {};
        for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v)).toString('base64');
        obj['data'] = data;
        delete obj['stringData'];
      }
      break;
    }
    case 'Service': {
      const s = spec(obj);
      if (s['type'] === undefined) s['type'] = 'ClusterIP';
      if (s['clusterIP'] === undefined && s['type'] !== 'ExternalName') {
        const n = nextClusterIp++;
        s['clusterIP'] = `10.96.${Math.floor(n / 250) % 250}.${(n % 250) + 2}`;
        s['clusterIPs'] = [s['clusterIP']];
      }
      break;
    }
    case 'Deployment':
    case 'StatefulSet': {
      const s = spec(obj);
      s['replicas'] ??= 1;
      s['revisionHistoryLimit'] ??= 10;
      if (type.kind === 'Deployment') {
        s['strategy'] ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
        s['progressDeadlineSeconds'] ??= 600;
      } else {
        s['podManagementPolicy'] ??= 'OrderedReady';
        s['updateStrategy'] ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
      }
      break;
    }
    case 'Job': {
      const s = spec(obj);
      s['completions'] ??= 1;
      s['parallelism'] ??= 1;
      s['backoffLimit'] ??= 6;
      const template = isObject(s['template']) ? s['template'] : (s['template'] = {});
      const meta = isObject(template['metadata']) ? template['metadata'] : (template['metadata'] = {});
      const labels = isObject(meta['labels']) ? meta['labels'] : (meta['labels'] = {});
      labels['job-name'] = obj.metadata.name;
      labels['batch.kubernetes.io/job-name'] = obj.metadata.name;
      labels['controller-uid'] = obj.metadata.uid;
      labels['batch.kubernetes.io/controller-uid'] = obj.metadata.uid;
      s['selector'] ??= { matchLabels: { 'batch.kubernetes.io/controller-uid': obj.metadata.uid } };
      break;
    }
    case 'CustomResourceDefinition': {
      const names = spec(obj)['names'];
      obj['status'] = {
        conditions: [
          { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: obj.metadata.creationTimestamp },
          { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: obj.metadata.creationTimestamp },
        ],
        acceptedNames: names,
        storedVersions: resourcesFromCrd(obj).slice(0, 1).map((t) => t.version),
      };
      break;
    }
  }
}

/** Resources whose objects carry metadata.generation (the ones with a spec). */
export function hasGeneration(obj: KubeObject): boolean {
  return 'spec' in obj;
}
