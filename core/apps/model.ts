/**
 * The middleware platform's vocabulary (seed 003), as `middleware.io/v1alpha1` custom resources:
 *   App       — what a team asks for: a named set of components ("a cache").
 *   Component — one middleware of an app, by plugin type and version ("redis 7.2").
 *   Group     — one primary/replica set of instances of a component, rendered by its plugin into
 *               Kubernetes resources (ConfigMap, PVC, Service, one Deployment per instance).
 *   Plugin    — a ConfigMap labelled `middleware.io/plugin=<type>` holding Helm-style templates, defaults and
 *               `_helpers.tpl`; every Group of that type is rendered from it.
 *   Instance  — one member of a Group (one pod), with two agents: status :50051, control :50052.
 */
import type { AgentRole } from './agent/index.js';

export const MIDDLEWARE_GROUP = 'middleware.io';
export const MIDDLEWARE_API_VERSION = 'middleware.io/v1alpha1';
export const DEFAULT_APPS_NAMESPACE = 'middleware';

export const LABELS = {
  plugin: 'middleware.io/plugin',
  pluginVersion: 'middleware.io/plugin-version',
  app: 'middleware.io/app',
  component: 'middleware.io/component',
  group: 'middleware.io/group',
  instance: 'middleware.io/instance',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

export const ANNOTATIONS = {
  /** Set on a Group when its plugin changed since it was rendered: the plugin hash it must be rendered with. */
  renderNeeded: 'middleware.io/render-needed',
  /** On an instance's pod template: bumped to restart the pod (what `kubectl rollout restart` does). */
  restartedAt: 'middleware.io/restartedAt',
  /** On rendered workloads: the plugin hash they were rendered from. */
  pluginHash: 'middleware.io/plugin-hash',
  /** On rendered workloads: hash of the group's rendered configuration. */
  configHash: 'middleware.io/config-hash',
  /**
   * On rendered ConfigMaps: hash of the data as fleetdeck rendered it. A live object whose data no longer hashes to
   * it was edited by hand; a new render with another hash means the Group spec (or its plugin) changed.
   */
  renderedHash: 'middleware.io/rendered-hash',
  /** On a surge stand-in's Deployment: the instance it stands in for during a roll. */
  surgeFor: 'middleware.io/surge-for',
} as const;

export type MiddlewareKind = 'App' | 'Component' | 'Group';
export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
export const SERVICE_TYPES: readonly ServiceType[] = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];

/** An int count or a percentage such as "25%", as Kubernetes rolling updates take them. */
export type IntOrPercent = number | string;

export interface UpgradeStrategy {
  maxSurge: IntOrPercent;
  maxUnavailable: IntOrPercent;
  /** Instances with an ordinal below the partition keep their current revision. */
  partition: number;
}

export interface StorageSpec {
  /** false: an emptyDir instead of a PVC. */
  enabled: boolean;
  size: string;
  storageClass?: string;
}

export interface BackupSpec {
  /** Directory or s3://BUCKET/PREFIX. */
  target?: string;
  keep?: number;
  algorithm?: string;
}

export interface GroupSpec {
  app: string;
  component: string;
  /** Plugin type, e.g. redis. */
  type: string;
  /** Middleware version, e.g. 7.2.4. */
  version: string;
  instances: number;
  image?: string;
  /** The middleware's configuration keys (redis.conf lines). */
  config: Record<string, string>;
  storage: StorageSpec;
  service: { type: ServiceType; port?: number };
  resources?: Record<string, unknown>;
  upgradeStrategy: UpgradeStrategy;
  backup?: BackupSpec;
  /** Free-form overrides merged over the plugin's values.yaml. */
  values?: Record<string, unknown>;
}

/** What the component spec says about a group before the Component controller fills in app/component/type. */
export type GroupTemplate = Omit<GroupSpec, 'app' | 'component' | 'type' | 'version'> & { name: string };

export interface ComponentSpec {
  app: string;
  type: string;
  version: string;
  groups: GroupTemplate[];
}

export interface AppSpec {
  description?: string;
  components: (Omit<ComponentSpec, 'app'> & { name: string })[];
}

export interface ObjectIdentity {
  name: string;
  namespace: string;
}

export interface App extends ObjectIdentity { spec: AppSpec }
export interface Component extends ObjectIdentity { spec: ComponentSpec }

export interface AgentAddress {
  /** host:port of Agent 1 (status). */
  status: string;
  /** host:port of Agent 2 (control). */
  control: string;
}

/** One instance as the Group status records it: role as last seen, and where its agents answer. */
export interface MemberStatus {
  instance: string;
  role: AgentRole;
  agent?: AgentAddress;
  /** Where the instance keeps its data, when fleetdeck can reach it (the sandbox; a mounted volume). */
  dataDir?: string;
}

export interface RolloutStatus {
  pluginHash: string;
  updated: string[];
  /** Held back by the partition. */
  held: string[];
  finishedAt?: string;
}

export interface GroupStatus {
  phase?: string;
  renderedPluginHash?: string;
  renderNeeded?: boolean;
  configHash?: string;
  members?: MemberStatus[];
  rollout?: RolloutStatus;
}

export interface Group extends ObjectIdentity {
  spec: GroupSpec;
  status: GroupStatus;
  annotations: Record<string, string>;
}

/** `cache-redis-0`, `cache-redis-1`, …: instance names are the group's name and an ordinal. */
export function instanceName(group: string, ordinal: number): string {
  return `${group}-${ordinal}`;
}

export function instanceNames(group: Pick<Group, 'name' | 'spec'>): string[] {
  return Array.from({ length: group.spec.instances }, (_, i) => instanceName(group.name, i));
}

export function ordinalOf(instance: string): number {
  const match = /-(\d+)$/.exec(instance);
  return match?.[1] === undefined ? -1 : Number(match[1]);
}
