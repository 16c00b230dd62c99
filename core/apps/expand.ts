/**
 * What the App and Component controllers of the seed do: an App yields its Components, a Component its Groups.
 * And the way back to Kubernetes objects, for apply.
 */
import type { KubeObject } from '../kube/types.js';
import { LABELS, MIDDLEWARE_API_VERSION } from './model.js';
import type { App, Component, Group, GroupSpec } from './model.js';

export function componentsOf(app: App): Component[] {
  return app.spec.components.map(({ name, ...spec }) => ({
    name: `${app.name}-${name}`,
    namespace: app.namespace,
    spec: { app: app.name, ...spec },
  }));
}

/** The component's short name inside its app (`redis` of `cache-redis`). */
export function componentShortName(component: Component): string {
  const prefix = `${component.spec.app}-`;
  return component.name.startsWith(prefix) ? component.name.slice(prefix.length) : component.name;
}

export function groupsOf(component: Component): Group[] {
  return component.spec.groups.map(({ name, ...body }) => ({
    name,
    namespace: component.namespace,
    spec: { ...body, app: component.spec.app, component: componentShortName(component), type: component.spec.type, version: component.spec.version },
    status: {},
    annotations: {},
  }));
}

function meta(name: string, namespace: string, labels: Record<string, string>): KubeObject['metadata'] {
  return { name, namespace, labels: { ...labels, [LABELS.managedBy]: 'fleetdeck' } };
}

export function appObject(app: App): KubeObject {
  return { apiVersion: MIDDLEWARE_API_VERSION, kind: 'App', metadata: meta(app.name, app.namespace, { [LABELS.app]: app.name }), spec: app.spec };
}

export function componentObject(component: Component): KubeObject {
  return {
    apiVersion: MIDDLEWARE_API_VERSION, kind: 'Component',
    metadata: meta(component.name, component.namespace, { [LABELS.app]: component.spec.app, [LABELS.plugin]: component.spec.type }),
    spec: component.spec,
  };
}

/** The Group without its status: status belongs to whoever observes the group, and apply must not reset it. */
export function groupObject(group: Pick<Group, 'name' | 'namespace'> & { spec: GroupSpec }): KubeObject {
  return {
    apiVersion: MIDDLEWARE_API_VERSION, kind: 'Group',
    metadata: meta(group.name, group.namespace, {
      [LABELS.app]: group.spec.app, [LABELS.component]: group.spec.component, [LABELS.plugin]: group.spec.type,
    }),
    spec: group.spec,
  };
}
