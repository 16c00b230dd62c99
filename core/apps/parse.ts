/** Parsing and validating App, Component and Group resources: bad input fails naming the field, before any write. */
import { ValidationError } from '../errors.js';
import type { KubeObject } from '../kube/types.js';
import { FieldReader, isPlain, resolveIntOrPercent } from './fields.js';
import type { Plain } from './fields.js';
import { DEFAULT_APPS_NAMESPACE, MIDDLEWARE_API_VERSION, SERVICE_TYPES } from './model.js';
import type {
  App, AppSpec, BackupSpec, Component, Group, GroupStatus, GroupTemplate, MemberStatus, MiddlewareKind, ServiceType, UpgradeStrategy,
} from './model.js';

function identity(object: KubeObject, kind: MiddlewareKind): { reader: FieldReader; name: string; namespace: string; spec: Plain } {
  const namespace = object.metadata.namespace ?? DEFAULT_APPS_NAMESPACE;
  const label = `${kind} ${namespace}/${object.metadata.name ?? '?'}`;
  const reader = new FieldReader(label);
  if (object.apiVersion !== MIDDLEWARE_API_VERSION || object.kind !== kind) {
    reader.fail('apiVersion/kind', `must be ${MIDDLEWARE_API_VERSION} ${kind}, got ${object.apiVersion} ${object.kind}`, `Set apiVersion: ${MIDDLEWARE_API_VERSION} and kind: ${kind}.`);
  }
  const name = reader.name(object.metadata.name, 'metadata.name');
  return { reader, name, namespace, spec: reader.object(object['spec'], 'spec') };
}

function parseStrategy(r: FieldReader, value: unknown, path: string, instances: number): UpgradeStrategy {
  const spec = r.optionalObject(value, path) ?? {};
  const strategy: UpgradeStrategy = {
    maxSurge: r.intOrPercent(spec['maxSurge'], `${path}.maxSurge`, 0),
    maxUnavailable: r.intOrPercent(spec['maxUnavailable'], `${path}.maxUnavailable`, 1),
    partition: r.int(spec['partition'], `${path}.partition`, 0, 0),
  };
  if (resolveIntOrPercent(strategy.maxSurge, instances, true) === 0 && resolveIntOrPercent(strategy.maxUnavailable, instances, false) === 0) {
    r.fail(`${path}.maxUnavailable`, 'may not be 0 when maxSurge is 0 too: no instance could ever be replaced', `Set ${path}.maxUnavailable or ${path}.maxSurge to at least 1.`);
  }
  if (strategy.partition > instances) {
    r.fail(`${path}.partition`, `(${strategy.partition}) is larger than the number of instances (${instances})`, `Set ${path}.partition between 0 and ${instances}.`);
  }
  return strategy;
}

function parseBackup(r: FieldReader, value: unknown, path: string): BackupSpec | undefined {
  const spec = r.optionalObject(value, path);
  if (!spec) return undefined;
  const target = r.optionalString(spec['target'], `${path}.target`);
  const algorithm = r.optionalString(spec['algorithm'], `${path}.algorithm`);
  if (algorithm !== undefined && algorithm !== 'aes256-gcm' && algorithm !== 'aes256-cbc') {
    r.fail(`${path}.algorithm`, `"${algorithm}" is not supported`, 'Use aes256-gcm (recommended) or aes256-cbc.');
  }
  return {
    ...(target ? { target } : {}),
    ...(spec['keep'] === undefined ? {} : { keep: r.int(spec['keep'], `${path}.keep`, 1) }),
    ...(algorithm ? { algorithm } : {}),
  };
}

/** The per-group part shared by a Group's spec and a Component's `groups[]` entries. */
function parseGroupBody(r: FieldReader, spec: Plain, path: string): Omit<GroupTemplate, 'name'> {
  const at = (key: string) => (path === '' ? key : `${path}.${key}`);
  const instances = r.int(spec['instances'], at('instances'), 1);
  const storage = r.optionalObject(spec['storage'], at('storage')) ?? {};
  const service = r.optionalObject(spec['service'], at('service')) ?? {};
  const serviceType = r.optionalString(service['type'], at('service.type')) ?? 'ClusterIP';
  if (!(SERVICE_TYPES as readonly string[]).includes(serviceType)) {
    r.fail(at('service.type'), `"${serviceType}" is not a Service type`, `Use one of ${SERVICE_TYPES.join(', ')}.`);
  }
  const storageClass = r.optionalString(storage['storageClass'], at('storage.storageClass'));
  const image = r.optionalString(spec['image'], at('image'));
  const backup = parseBackup(r, spec['backup'], at('backup'));
  const resources = r.optionalObject(spec['resources'], at('resources'));
  const values = r.optionalObject(spec['values'], at('values'));
  return {
    instances,
    ...(image ? { image } : {}),
    config: r.stringMap(spec['config'], at('config')),
    storage: {
      enabled: r.boolean(storage['enabled'], at('storage.enabled'), true),
      size: r.optionalString(storage['size'], at('storage.size')) ?? '1Gi',
      ...(storageClass ? { storageClass } : {}),
    },
    service: {
      type: serviceType as ServiceType,
      ...(service['port'] === undefined ? {} : { port: r.int(service['port'], at('service.port'), 1) }),
    },
    ...(resources ? { resources } : {}),
    upgradeStrategy: parseStrategy(r, spec['upgradeStrategy'], at('upgradeStrategy'), instances),
    ...(backup ? { backup } : {}),
    ...(values ? { values } : {}),
  };
}

function parseGroupTemplates(r: FieldReader, value: unknown, path: string, defaultName: string): GroupTemplate[] {
  const list = r.list(value ?? [{}], path);
  if (list.length === 0) r.fail(path, 'must list at least one group', `Add a group to ${path}.`);
  const names = new Set<string>();
  return list.map((entry, i) => {
    const spec = r.object(entry, `${path}[${i}]`);
    const name = spec['name'] === undefined && list.length === 1 ? defaultName : r.name(spec['name'], `${path}[${i}].name`);
    if (names.has(name)) r.fail(`${path}[${i}].name`, `"${name}" is used twice`, 'Give every group a different name.');
    names.add(name);
    return { name, ...parseGroupBody(r, spec, `${path}[${i}]`) };
  });
}

export function parseApp(object: KubeObject): App {
  const { reader: r, name, namespace, spec } = identity(object, 'App');
  const list = r.list(spec['components'], 'spec.components');
  const seen = new Set<string>();
  const components: AppSpec['components'] = list.map((entry, i) => {
    const path = `spec.components[${i}]`;
    const c = r.object(entry, path);
    const componentName = r.name(c['name'], `${path}.name`);
    if (seen.has(componentName)) r.fail(`${path}.name`, `"${componentName}" is used twice`, 'Give every component a different name.');
    seen.add(componentName);
    return {
      name: componentName,
      type: r.name(c['type'], `${path}.type`),
      version: r.string(c['version'], `${path}.version`),
      groups: parseGroupTemplates(r, c['groups'], `${path}.groups`, `${name}-${componentName}`),
    };
  });
  const description = r.optionalString(spec['description'], 'spec.description');
  return { name, namespace, spec: { ...(description ? { description } : {}), components } };
}

export function parseComponent(object: KubeObject): Component {
  const { reader: r, name, namespace, spec } = identity(object, 'Component');
  const app = r.name(spec['app'], 'spec.app');
  return {
    name, namespace,
    spec: {
      app, type: r.name(spec['type'], 'spec.type'), version: r.string(spec['version'], 'spec.version'),
      groups: parseGroupTemplates(r, spec['groups'], 'spec.groups', name),
    },
  };
}

function parseMembers(value: unknown): MemberStatus[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const members: MemberStatus[] = [];
  for (const entry of value) {
    if (!isPlain(entry) || typeof entry['instance'] !== 'string') continue;
    const agent = entry['agent'];
    members.push({
      instance: entry['instance'],
      role: entry['role'] === 'master' ? 'master' : 'replica',
      ...(isPlain(agent) && typeof agent['status'] === 'string' && typeof agent['control'] === 'string'
        ? { agent: { status: agent['status'], control: agent['control'] } } : {}),
      ...(typeof entry['dataDir'] === 'string' ? { dataDir: entry['dataDir'] } : {}),
    });
  }
  return members;
}

/** Status is written by fleetdeck; it is read leniently, keeping only what it understands. */
function parseGroupStatus(value: unknown): GroupStatus {
  if (!isPlain(value)) return {};
  const status: GroupStatus = {};
  if (typeof value['phase'] === 'string') status.phase = value['phase'];
  if (typeof value['renderedPluginHash'] === 'string') status.renderedPluginHash = value['renderedPluginHash'];
  if (typeof value['renderNeeded'] === 'boolean') status.renderNeeded = value['renderNeeded'];
  if (typeof value['configHash'] === 'string') status.configHash = value['configHash'];
  const members = parseMembers(value['members']);
  if (members) status.members = members;
  const rollout = value['rollout'];
  if (isPlain(rollout) && typeof rollout['pluginHash'] === 'string') {
    const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
    status.rollout = {
      pluginHash: rollout['pluginHash'], updated: strings(rollout['updated']), held: strings(rollout['held']),
      ...(typeof rollout['finishedAt'] === 'string' ? { finishedAt: rollout['finishedAt'] } : {}),
    };
  }
  return status;
}

export function parseGroup(object: KubeObject): Group {
  const { reader: r, name, namespace, spec } = identity(object, 'Group');
  return {
    name, namespace,
    spec: {
      app: r.name(spec['app'], 'spec.app'),
      component: r.name(spec['component'], 'spec.component'),
      type: r.name(spec['type'], 'spec.type'),
      version: r.string(spec['version'], 'spec.version'),
      ...parseGroupBody(r, spec, 'spec'),
    },
    status: parseGroupStatus(object['status']),
    annotations: { ...(object.metadata.annotations ?? {}) },
  };
}

/** Parses any middleware resource, for loaders that meet them mixed. */
export function parseMiddleware(object: KubeObject): { kind: 'App'; value: App } | { kind: 'Component'; value: Component } | { kind: 'Group'; value: Group } {
  switch (object.kind) {
    case 'App': return { kind: 'App', value: parseApp(object) };
    case 'Component': return { kind: 'Component', value: parseComponent(object) };
    case 'Group': return { kind: 'Group', value: parseGroup(object) };
    default:
      throw new ValidationError(`${object.kind} is not a middleware resource`, `Use kind App, Component or Group with apiVersion ${MIDDLEWARE_API_VERSION}.`, 'kind');
  }
}
