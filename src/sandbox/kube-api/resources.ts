/** The resource types a sandbox cluster serves: built-ins (shared by every cluster) and those added by CRDs. */
export interface ResourceType {
  group: string; // '' for the core group
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  statusSubresource: boolean;
}

function builtin(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  shortNames: string[] = [],
  statusSubresource = true,
): ResourceType {
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames,
    categories: ['all'].filter(() => ['Pod', 'Service', 'Deployment', 'StatefulSet', 'Job'].includes(kind)),
    statusSubresource,
  };
}

export const BUILTIN_RESOURCES: readonly ResourceType[] = [
  builtin('', 'v1', 'Namespace', 'namespaces', false, ['ns']),
  builtin('', 'v1', 'Secret', 'secrets', true, [], false),
  builtin('', 'v1', 'ConfigMap', 'configmaps', true, ['cm'], false),
  builtin('', 'v1', 'Service', 'services', true, ['svc']),
  builtin('', 'v1', 'Pod', 'pods', true, ['po']),
  builtin('', 'v1', 'Event', 'events', true, ['ev'], false),
  builtin('', 'v1', 'ServiceAccount', 'serviceaccounts', true, ['sa'], false),
  builtin('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, ['pvc']),
  builtin('', 'v1', 'PersistentVolume', 'persistentvolumes', false, ['pv']),
  builtin('', 'v1', 'Node', 'nodes', false, ['no']),
  builtin('apps', 'v1', 'Deployment', 'deployments', true, ['deploy']),
  builtin('apps', 'v1', 'StatefulSet', 'statefulsets', true, ['sts']),
  builtin('batch', 'v1', 'Job', 'jobs', true),
  builtin('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, ['ing']),
  builtin('networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', false, [], false),
  builtin('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true, [], false),
  builtin('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true, [], false),
  builtin('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false, [], false),
  builtin('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false, [], false),
  builtin('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, ['crd', 'crds']),
];

export function groupVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** Storage key of a resource: the same object is served under every version of its group. */
export function storageKey(type: ResourceType): string {
  return `${type.group}/${type.plural}`;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Resource types a CRD object declares, one per served version. Invalid CRDs yield none. */
export function resourcesFromCrd(crd: Record<string, unknown>): ResourceType[] {
  const spec = crd['spec'] as
    | {
        group?: string;
        scope?: string;
        names?: { kind?: string; listKind?: string; plural?: string; singular?: string; shortNames?: string[]; categories?: string[] };
        versions?: { name?: string; served?: boolean; subresources?: { status?: unknown } }[];
      }
    | undefined;
  const names = spec?.names;
  if (spec?.group === undefined || names?.kind === undefined || names.plural === undefined) return [];
  const out: ResourceType[] = [];
  for (const v of spec.versions ?? []) {
    if (v.name === undefined || v.served === false) continue;
    out.push({
      group: spec.group,
      version: v.name,
      kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`,
      plural: names.plural,
      singular: names.singular ?? names.kind.toLowerCase(),
      namespaced: spec.scope !== 'Cluster',
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      statusSubresource: v.subresources?.status !== undefined,
    });
  }
  return out;
}

/** Looks resource types up by group/version and plural or kind; custom types are replaced as CRDs change. */
export class ResourceRegistry {
  private custom: ResourceType[] = [];

  all(): readonly ResourceType[] {
    return this.custom.length === 0 ? BUILTIN_RESOURCES : [...BUILTIN_RESOURCES, ...this.custom];
  }

  customTypes(): readonly ResourceType[] {
    return this.custom;
  }

  setCustom(types: ResourceType[]): void {
    this.custom = types;
  }

  byPlural(group: string, version: string, plural: string): ResourceType | undefined {
    return this.all().find((t) => t.group === group && t.version === version && t.plural === plural);
  }

  byKind(group: string, version: string, kind: string): ResourceType | undefined {
    return this.all().find((t) => t.group === group && t.version === version && t.kind === kind);
  }

  /** Any version of a group's plural: used to reach the stored objects regardless of the version asked for. */
  anyVersion(group: string, plural: string): ResourceType | undefined {
    return this.all().find((t) => t.group === group && t.plural === plural);
  }

  groupVersions(group: string): string[] {
    return [...new Set(this.all().filter((t) => t.group === group).map((t) => t.version))];
  }

  groups(): string[] {
    return [...new Set(this.all().map((t) => t.group))];
  }
}
