/** Discovery documents: /version, /api, /apis and per group-version resource lists. */
import { BUILTIN_RESOURCES, groupVersionOf, type ResourceRegistry, type ResourceType } from './resources.js';

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0+fleetdeck-sandbox',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.23.4',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const READ_WRITE_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function resourceEntries(type: ResourceType): Record<string, unknown>[] {
  const main = {
    name: type.plural,
    singularName: type.singular,
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: READ_WRITE_VERBS,
    ...(type.shortNames.length > 0 ? { shortNames: type.shortNames } : {}),
    ...(type.categories.length > 0 ? { categories: type.categories } : {}),
  };
  const entries: Record<string, unknown>[] = [main];
  if (type.statusSubresource) entries.push({ name: `${type.plural}/status`, singularName: '', namespaced: type.namespaced, kind: type.kind, verbs: ['get', 'patch', 'update'] });
  if (type.kind === 'Pod') entries.push({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
  return entries;
}

function buildResourceList(gv: string, types: readonly ResourceType[]): string {
  return JSON.stringify({
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv,
    resources: types.flatMap(resourceEntries),
  });
}

/** Built-in lists are serialised once per process and shared by every cluster. */
const builtinLists = new Map<string, string>();
for (const gv of new Set(BUILTIN_RESOURCES.map(groupVersionOf))) {
  builtinLists.set(gv, buildResourceList(gv, BUILTIN_RESOURCES.filter((t) => groupVersionOf(t) === gv)));
}

export function resourceListBody(registry: ResourceRegistry, gv: string): string | undefined {
  const custom = registry.customTypes().filter((t) => groupVersionOf(t) === gv);
  const builtin = builtinLists.get(gv);
  if (custom.length === 0) return builtin;
  return buildResourceList(gv, registry.all().filter((t) => groupVersionOf(t) === gv));
}

function apiGroup(registry: ResourceRegistry, group: string): Record<string, unknown> {
  const versions = registry.groupVersions(group).map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupListBody(registry: ResourceRegistry): string {
  const groups = registry.groups().filter((g) => g !== '').map((g) => apiGroup(registry, g));
  return JSON.stringify({ kind: 'APIGroupList', apiVersion: 'v1', groups });
}

export function apiGroupBody(registry: ResourceRegistry, group: string): string | undefined {
  if (!registry.groups().includes(group) || group === '') return undefined;
  return JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(registry, group) });
}

export function apiVersionsBody(serverAddress: string): string {
  return JSON.stringify({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] });
}
