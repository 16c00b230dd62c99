/** Reading the hierarchy and its plugins from a cluster (KubeGateway) or from YAML files, into one snapshot. */
import { parseAllDocuments } from 'yaml';
import { FleetError, NotFoundError, ValidationError, asFleetError } from '../errors.js';
import type { KubeGateway, KubeObject } from '../kube/types.js';
import { componentsOf, groupsOf } from './expand.js';
import { isPlain } from './fields.js';
import { LABELS, MIDDLEWARE_API_VERSION } from './model.js';
import type { App, Component, Group } from './model.js';
import { parseApp, parseComponent, parseGroup } from './parse.js';
import { parsePlugin } from './plugin.js';
import type { Plugin } from './plugin.js';

export interface AppsSnapshot {
  apps: App[];
  components: Component[];
  groups: Group[];
  plugins: Map<string, Plugin>;
  /** Plugins that could not be parsed; their groups cannot be rendered until fixed. */
  pluginErrors: { name: string; message: string }[];
  /** false when the cluster does not serve the middleware.io CRDs at all. */
  installed: boolean;
}

const byName = <T extends { namespace: string; name: string }>(a: T, b: T): number =>
  a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);

function collectPlugins(configMaps: readonly KubeObject[]): Pick<AppsSnapshot, 'plugins' | 'pluginErrors'> {
  const plugins = new Map<string, Plugin>();
  const pluginErrors: AppsSnapshot['pluginErrors'] = [];
  for (const configMap of configMaps) {
    const name = `${configMap.metadata.namespace ?? 'default'}/${configMap.metadata.name ?? '?'}`;
    try {
      const plugin = parsePlugin(configMap);
      if (plugins.has(plugin.type)) pluginErrors.push({ name, message: `a second plugin for type "${plugin.type}" (ignored)` });
      else plugins.set(plugin.type, plugin);
    } catch (error) {
      pluginErrors.push({ name, message: asFleetError(error).message });
    }
  }
  return { plugins, pluginErrors };
}

async function listKind(kube: KubeGateway, kind: string, namespace: string | undefined): Promise<KubeObject[] | null> {
  try {
    return (await kube.list(MIDDLEWARE_API_VERSION, kind, namespace ? { namespace } : {})).items;
  } catch (error) {
    if (error instanceof FleetError && error.code === 'NOT_FOUND') return null;
    throw error;
  }
}

/** Everything of the middleware platform in one cluster (optionally one namespace). Bad objects fail naming their field. */
export async function readClusterApps(kube: KubeGateway, namespace?: string): Promise<AppsSnapshot> {
  const [apps, components, groups, configMaps] = await Promise.all([
    listKind(kube, 'App', namespace), listKind(kube, 'Component', namespace), listKind(kube, 'Group', namespace),
    kube.list('v1', 'ConfigMap', { labelSelector: LABELS.plugin, ...(namespace ? { namespace } : {}) }).then((l) => l.items),
  ]);
  return {
    apps: (apps ?? []).map(parseApp).sort(byName),
    components: (components ?? []).map(parseComponent).sort(byName),
    groups: (groups ?? []).map(parseGroup).sort(byName),
    ...collectPlugins(configMaps),
    installed: apps !== null && components !== null && groups !== null,
  };
}

/**
 * A YAML stream (one or more files' worth) of Apps, Components, Groups and plugin ConfigMaps. Apps and Components
 * are expanded into the Components and Groups their controllers would create, unless the stream has them already.
 */
export function readYamlApps(text: string, source = 'input'): AppsSnapshot {
  const objects: KubeObject[] = [];
  for (const [index, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length > 0) {
      throw new ValidationError(`${source}: document ${index + 1} is not valid YAML: ${doc.errors[0]?.message.split('\n')[0] ?? ''}`, 'Fix the YAML and try again.');
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isPlain(value) || typeof value['kind'] !== 'string' || !isPlain(value['metadata'])) {
      throw new ValidationError(`${source}: document ${index + 1} is not a Kubernetes object`, 'Every document needs apiVersion, kind and metadata.');
    }
    objects.push(value as KubeObject);
  }
  const ofKind = (kind: string) => objects.filter((o) => o.kind === kind && o.apiVersion === MIDDLEWARE_API_VERSION);
  const apps = ofKind('App').map(parseApp);
  const components = ofKind('Component').map(parseComponent);
  for (const component of apps.flatMap(componentsOf)) {
    if (!components.some((c) => c.namespace === component.namespace && c.name === component.name)) components.push(component);
  }
  const groups = ofKind('Group').map(parseGroup);
  for (const group of components.flatMap(groupsOf)) {
    if (!groups.some((g) => g.namespace === group.namespace && g.name === group.name)) groups.push(group);
  }
  const configMaps = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.[LABELS.plugin] !== undefined);
  const { plugins, pluginErrors } = collectPlugins(configMaps);
  if (pluginErrors[0]) throw new ValidationError(`${source}: ${pluginErrors[0].message}`, 'Fix the plugin ConfigMap and try again.');
  return { apps: apps.sort(byName), components: components.sort(byName), groups: groups.sort(byName), plugins, pluginErrors, installed: true };
}

/** `NAME` or `NAMESPACE/NAME`; a bare name must be unique across namespaces. */
export function findNamed<T extends { namespace: string; name: string }>(items: readonly T[], ref: string, what: string): T {
  const [namespace, name] = ref.includes('/') ? ref.split('/', 2) : [undefined, ref];
  const matches = items.filter((i) => i.name === name && (namespace === undefined || i.namespace === namespace));
  if (matches.length === 0) throw new NotFoundError(what, ref, `List them with \`fleetdeck apps ls\`.`);
  if (matches.length > 1) {
    throw new ValidationError(`${what} "${ref}" exists in ${matches.length} namespaces (${matches.map((m) => m.namespace).join(', ')})`,
      `Name it as NAMESPACE/${ref}.`);
  }
  return matches[0]!;
}

export function pluginFor(snapshot: AppsSnapshot, group: Group): Plugin {
  const plugin = snapshot.plugins.get(group.spec.type);
  if (plugin) return plugin;
  const broken = snapshot.pluginErrors.map((e) => `${e.name}: ${e.message}`).join('; ');
  throw new FleetError('NOT_FOUND', `no usable plugin for type "${group.spec.type}" (group ${group.name})`,
    broken ? `Fix the plugin ConfigMap: ${broken}` : `Create a ConfigMap labelled ${LABELS.plugin}=${group.spec.type} holding its templates.`,
    { type: group.spec.type });
}
