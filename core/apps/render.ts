/**
 * Rendering a Group with its plugin's templates into Kubernetes objects, the Helm way: `.Values` (plugin defaults
 * under the group's settings), `.Group`, `.Instances`, `.Plugin`, `.Release`; `_helpers.tpl` partials for include.
 */
import { createHash } from 'node:crypto';
import { parseAllDocuments, stringify } from 'yaml';
import { ValidationError } from '../errors.js';
import type { KubeObject } from '../kube/types.js';
import { render } from '../templates/index.js';
import { isPlain } from './fields.js';
import type { Plain } from './fields.js';
import { ANNOTATIONS, LABELS, instanceNames } from './model.js';
import type { Group } from './model.js';
import type { Plugin } from './plugin.js';

/** Creation order of rendered kinds (seed 003 §6.1: what the pod mounts first, then its Service, then the workload). */
export const RENDERED_KIND_ORDER = ['ConfigMap', 'Secret', 'PersistentVolumeClaim', 'Service', 'Deployment', 'StatefulSet'] as const;

export interface RenderedGroup {
  group: Group;
  plugin: Plugin;
  /** In creation order. */
  objects: KubeObject[];
  /** The group's own ConfigMap (the one holding plugin.configFile), if the plugin renders one. */
  configMap: KubeObject | undefined;
  /** The middleware's configuration text as rendered into the ConfigMap. */
  configText: string | undefined;
}

export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlain(base) || !isPlain(over)) return over === undefined ? base : over;
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = deepMerge(base[key], value);
  return out;
}

/** The data every template sees. Roles come from the group's status, else instance 0 is the master. */
export function renderData(group: Group, plugin: Plugin): Plain {
  const spec = group.spec;
  const fromSpec: Plain = {
    config: spec.config,
    storage: spec.storage,
    service: spec.service,
    upgradeStrategy: spec.upgradeStrategy,
    ...(spec.image ? { image: spec.image } : {}),
    ...(spec.resources ? { resources: spec.resources } : {}),
  };
  const values = deepMerge(deepMerge(plugin.values, fromSpec), spec.values ?? {}) as Plain;
  const roles = new Map((group.status.members ?? []).map((m) => [m.instance, m.role]));
  const hasMaster = [...roles.values()].includes('master');
  return {
    Group: {
      name: group.name, namespace: group.namespace, app: spec.app, component: spec.component, type: spec.type,
      version: spec.version, instances: spec.instances,
    },
    Instances: instanceNames(group).map((name, ordinal) => ({
      name, ordinal, role: roles.get(name) ?? (!hasMaster && ordinal === 0 ? 'master' : 'replica'),
    })),
    Values: values,
    Plugin: { type: plugin.type, version: plugin.version, configFile: plugin.configFile, configPath: plugin.configPath },
    Release: { Name: group.name, Namespace: group.namespace },
  };
}

function kindRank(kind: string): number {
  const index = (RENDERED_KIND_ORDER as readonly string[]).indexOf(kind);
  // Kinds a plugin adds beyond the usual ones go before the workloads that may need them.
  return index >= 0 ? index : RENDERED_KIND_ORDER.indexOf('Service') + 0.5;
}

export function sortForCreation(objects: readonly KubeObject[]): KubeObject[] {
  return [...objects].sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

function documentsOf(text: string, key: string, group: Group): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const [index, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length > 0) {
      throw new ValidationError(`plugin template ${key} rendered invalid YAML for group ${group.name} (document ${index + 1}): ${doc.errors[0]?.message.split('\n')[0] ?? ''}`,
        `Render it with \`fleetdeck apps render ${group.name}\` and fix the template's indentation (nindent/toYaml).`, key);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isPlain(value) || typeof value['apiVersion'] !== 'string' || typeof value['kind'] !== 'string'
      || !isPlain(value['metadata']) || typeof value['metadata']['name'] !== 'string') {
      throw new ValidationError(`plugin template ${key} rendered a document without apiVersion, kind and metadata.name for group ${group.name}`,
        'Every document a template renders must be a complete Kubernetes object.', key);
    }
    objects.push(value as KubeObject);
  }
  return objects;
}

/** sha256 over a ConfigMap's data and binaryData keys and values: what rendered-hash annotations record. */
export function configMapDataHash(object: Pick<KubeObject, 'metadata'> & Record<string, unknown>): string {
  const hash = createHash('sha256');
  for (const field of ['data', 'binaryData']) {
    const data = object[field];
    if (!isPlain(data)) continue;
    for (const key of Object.keys(data).sort()) hash.update(`${field}\u0000${key}\u0000${String(data[key])}\u0000`);
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Namespace, the group label, the plugin hash (workloads) and the rendered-data hash (ConfigMaps) are fleetdeck's
 * to set, whatever the template wrote.
 */
function stamp(object: KubeObject, group: Group, plugin: Plugin): KubeObject {
  const metadata = { name: object.metadata.name, namespace: group.namespace, ...object.metadata };
  metadata.namespace = group.namespace;
  metadata.labels = { ...(metadata.labels ?? {}), [LABELS.group]: group.name };
  if (object.kind === 'Deployment' || object.kind === 'StatefulSet') {
    metadata.annotations = { ...(metadata.annotations ?? {}), [ANNOTATIONS.pluginHash]: plugin.hash };
  }
  if (object.kind === 'ConfigMap') {
    metadata.annotations = { ...(metadata.annotations ?? {}), [ANNOTATIONS.renderedHash]: configMapDataHash(object) };
  }
  return { ...object, metadata };
}

export function renderGroup(group: Group, plugin: Plugin): RenderedGroup {
  if (plugin.type !== group.spec.type) {
    throw new ValidationError(`group ${group.name} is of type ${group.spec.type}, not ${plugin.type}`, 'Render it with its own plugin.', 'spec.type');
  }
  const data = renderData(group, plugin);
  const objects: KubeObject[] = [];
  for (const { key, template } of plugin.templates) {
    const text = render(template, data, { partials: plugin.partials, missingKey: 'zero' });
    objects.push(...documentsOf(text, key, group).map((o) => stamp(o, group, plugin)));
  }
  const seen = new Set<string>();
  for (const object of objects) {
    const id = `${object.kind}/${object.metadata.name ?? ''}`;
    if (seen.has(id)) {
      throw new ValidationError(`plugin ${plugin.type} renders ${id} twice for group ${group.name}`, 'Give every rendered object its own name (e.g. suffix the instance).', 'templates');
    }
    seen.add(id);
  }
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && isPlain(o['data']) && typeof o['data'][plugin.configFile] === 'string');
  const configText = configMap && isPlain(configMap['data']) ? String(configMap['data'][plugin.configFile]) : undefined;
  return { group, plugin, objects: sortForCreation(objects), configMap, configText };
}

/** A YAML stream, one document per object, as `kubectl apply -f -` takes it. */
export function manifestsToYaml(objects: readonly KubeObject[]): string {
  return objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
}
