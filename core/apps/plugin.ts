/**
 * A plugin is a ConfigMap labelled `middleware.io/plugin=<type>`. Its data keys:
 *   plugin.yaml   type, version, configFile (the ConfigMap key holding the middleware's config),
 *                 configPath (where it is mounted in the pod)
 *   values.yaml   defaults, overridden by the Group's spec
 *   *.tpl         partials; `_helpers.tpl` must define "middleware.labels" and "middleware.selectorLabels"
 *   *.yaml        manifest templates, rendered for each Group of the type
 */
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { ValidationError } from '../errors.js';
import type { KubeObject } from '../kube/types.js';
import { parseTemplate } from '../templates/index.js';
import type { Template } from '../templates/index.js';
import { FieldReader, isPlain } from './fields.js';
import type { Plain } from './fields.js';
import { LABELS } from './model.js';

export const REQUIRED_DEFINES = ['middleware.labels', 'middleware.selectorLabels'] as const;
const META_KEYS = new Set(['plugin.yaml', 'values.yaml']);

export interface Plugin {
  type: string;
  version: string;
  /** The ConfigMap it came from. */
  name: string;
  namespace: string;
  /** ConfigMap key (in the rendered group ConfigMap) that holds the middleware's configuration. */
  configFile: string;
  /** Where that file is mounted in the pod; what ReloadConfig is given. */
  configPath: string;
  values: Plain;
  /** Parsed manifest templates by data key, in key order. */
  templates: { key: string; template: Template }[];
  partials: Template[];
  /** sha256 over every data key and value: a changed plugin has a new hash. */
  hash: string;
  /** The ConfigMap itself, for applying a plugin read from YAML. */
  configMap: KubeObject;
}

export function pluginHash(data: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(data).sort()) hash.update(`${key}\u0000${data[key] ?? ''}\u0000`);
  return hash.digest('hex').slice(0, 16);
}

function parseYamlKey(reader: FieldReader, text: string | undefined, key: string): Plain {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    return reader.fail(`data["${key}"]`, `is not valid YAML: ${(error as Error).message.split('\n')[0] ?? ''}`, `Fix the YAML in ${key}.`);
  }
  return parsed === null ? {} : reader.object(parsed, `data["${key}"]`);
}

export function parsePlugin(configMap: KubeObject): Plugin {
  const name = configMap.metadata.name ?? '?';
  const namespace = configMap.metadata.namespace ?? 'default';
  const reader = new FieldReader(`plugin ConfigMap ${namespace}/${name}`);
  const labelled = configMap.metadata.labels?.[LABELS.plugin];
  if (configMap.kind !== 'ConfigMap' || !labelled) {
    reader.fail(`metadata.labels["${LABELS.plugin}"]`, 'is missing: a plugin is a ConfigMap labelled with its type', `Label the ConfigMap ${LABELS.plugin}=<type>.`);
  }
  const rawData = configMap['data'];
  const data: Record<string, string> = {};
  if (isPlain(rawData)) for (const [k, v] of Object.entries(rawData)) if (typeof v === 'string') data[k] = v;
  const meta = parseYamlKey(reader, data['plugin.yaml'], 'plugin.yaml');
  const type = reader.name(meta['type'] ?? labelled, 'data["plugin.yaml"].type');
  if (type !== labelled) {
    reader.fail('data["plugin.yaml"].type', `("${type}") differs from the label ${LABELS.plugin}=${labelled}`, 'Make the label and plugin.yaml agree.');
  }
  const version = reader.string(meta['version'] ?? configMap.metadata.labels?.[LABELS.pluginVersion], 'data["plugin.yaml"].version');
  const parse = (key: string): Template => parseTemplate(data[key] ?? '', key);
  const partials = Object.keys(data).filter((k) => k.endsWith('.tpl')).sort().map(parse);
  const defined = new Set(partials.flatMap((p) => [...p.defines.keys()]));
  for (const required of REQUIRED_DEFINES) {
    if (!defined.has(required)) {
      reader.fail('data["_helpers.tpl"]', `does not define "${required}"`, `Add {{- define "${required}" -}} … {{- end }} to _helpers.tpl.`);
    }
  }
  const templates = Object.keys(data).filter((k) => (k.endsWith('.yaml') || k.endsWith('.yml')) && !META_KEYS.has(k)).sort()
    .map((key) => ({ key, template: parse(key) }));
  if (templates.length === 0) reader.fail('data', 'holds no manifest templates (*.yaml)', 'Add deployment.yaml, service.yaml, configmap.yaml and pvc.yaml.');
  return {
    type, version, name, namespace,
    configFile: reader.optionalString(meta['configFile'], 'data["plugin.yaml"].configFile') ?? `${type}.conf`,
    configPath: reader.optionalString(meta['configPath'], 'data["plugin.yaml"].configPath') ?? `/etc/${type}/${type}.conf`,
    values: parseYamlKey(reader, data['values.yaml'], 'values.yaml'),
    templates, partials, hash: pluginHash(data), configMap,
  };
}

/** One plugin per type; two ConfigMaps claiming a type is an error rather than a coin toss. */
export function indexPlugins(configMaps: readonly KubeObject[]): Map<string, Plugin> {
  const plugins = new Map<string, Plugin>();
  for (const configMap of configMaps) {
    const plugin = parsePlugin(configMap);
    const existing = plugins.get(plugin.type);
    if (existing) {
      throw new ValidationError(`two plugins claim type "${plugin.type}": ${existing.namespace}/${existing.name} and ${plugin.namespace}/${plugin.name}`,
        `Remove the ${LABELS.plugin} label from one of them.`, 'type');
    }
    plugins.set(plugin.type, plugin);
  }
  return plugins;
}
