/** `Accept: application/json;as=Table` answers, so `kubectl get` prints the usual columns. */
import type { IncomingMessage } from 'node:http';
import { isObject, pathValue, type KubeObject } from './json.js';
import type { ResourceType } from './resources.js';

export function wantsTable(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('as=Table');
}

type Column = [name: string, cell: (obj: KubeObject) => string | number];

export function age(timestamp: unknown, now = Date.now()): string {
  if (typeof timestamp !== 'string') return '<unknown>';
  const seconds = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours}h` : `${Math.floor(hours / 24)}d`;
}

const num = (obj: KubeObject, path: string): number => {
  const v = pathValue(obj, path);
  return typeof v === 'number' ? v : 0;
};

function podStatus(pod: KubeObject): string {
  const statuses = pathValue(pod, 'status.containerStatuses');
  if (Array.isArray(statuses)) {
    for (const s of statuses) {
      const reason = pathValue(s, 'state.waiting.reason') ?? pathValue(s, 'state.terminated.reason');
      if (typeof reason === 'string') return reason;
    }
  }
  return String(pathValue(pod, 'status.phase') ?? 'Pending');
}

function podReady(pod: KubeObject): string {
  const containers = pathValue(pod, 'spec.containers');
  const total = Array.isArray(containers) ? containers.length : 1;
  const statuses = pathValue(pod, 'status.containerStatuses');
  const ready = Array.isArray(statuses) ? statuses.filter((s) => isObject(s) && s['ready'] === true).length : 0;
  return `${ready}/${total}`;
}

function jobStatus(job: KubeObject): string {
  const conditions = pathValue(job, 'status.conditions');
  if (Array.isArray(conditions)) {
    for (const c of conditions) {
      if (isObject(c) && c['status'] === 'True' && (c['type'] === 'Complete' || c['type'] === 'Failed')) return String(c['type']);
    }
  }
  return 'Running';
}

function jobDuration(job: KubeObject): string {
  const start = pathValue(job, 'status.startTime');
  if (typeof start !== 'string') return '';
  const end = pathValue(job, 'status.completionTime');
  return age(start, typeof end === 'string' ? Date.parse(end) : Date.now());
}

const AGE: Column = ['Age', (o) => age(o.metadata.creationTimestamp)];

const COLUMNS: Record<string, Column[]> = {
  Pod: [['Ready', podReady], ['Status', podStatus], ['Restarts', (o) => {
    const s = pathValue(o, 'status.containerStatuses');
    return Array.isArray(s) ? s.reduce<number>((n, c) => n + (typeof pathValue(c, 'restartCount') === 'number' ? (pathValue(c, 'restartCount') as number) : 0), 0) : 0;
  }], AGE],
  Deployment: [['Ready', (o) => `${num(o, 'status.readyReplicas')}/${num(o, 'spec.replicas')}`], ['Up-to-date', (o) => num(o, 'status.updatedReplicas')], ['Available', (o) => num(o, 'status.availableReplicas')], AGE],
  StatefulSet: [['Ready', (o) => `${num(o, 'status.readyReplicas')}/${num(o, 'spec.replicas')}`], AGE],
  Job: [['Status', jobStatus], ['Completions', (o) => `${num(o, 'status.succeeded')}/${num(o, 'spec.completions') || 1}`], ['Duration', jobDuration], AGE],
  Namespace: [['Status', (o) => String(pathValue(o, 'status.phase') ?? 'Active')], AGE],
  Service: [['Type', (o) => String(pathValue(o, 'spec.type') ?? 'ClusterIP')], ['Cluster-IP', (o) => String(pathValue(o, 'spec.clusterIP') ?? '<none>')], ['External-IP', () => '<none>'], ['Port(s)', (o) => {
    const ports = pathValue(o, 'spec.ports');
    return Array.isArray(ports) && ports.length > 0 ? ports.map((p) => `${String(pathValue(p, 'port'))}/${String(pathValue(p, 'protocol') ?? 'TCP')}`).join(',') : '<none>';
  }], AGE],
  Secret: [['Type', (o) => String(o['type'] ?? 'Opaque')], ['Data', (o) => (isObject(o['data']) ? Object.keys(o['data']).length : 0)], AGE],
  ConfigMap: [['Data', (o) => (isObject(o['data']) ? Object.keys(o['data']).length : 0)], AGE],
  CustomResourceDefinition: [['Created At', (o) => String(o.metadata.creationTimestamp ?? '')]],
  Node: [['Status', nodeReady], ['Roles', nodeRoles], AGE, ['Version', (o) => String(pathValue(o, 'status.nodeInfo.kubeletVersion') ?? '')]],
  PersistentVolumeClaim: [['Status', (o) => String(pathValue(o, 'status.phase') ?? 'Pending')], ['Volume', (o) => String(pathValue(o, 'spec.volumeName') ?? '')],
    ['Capacity', (o) => String(pathValue(o, 'status.capacity.storage') ?? '')], ['Access Modes', (o) => accessModes(pathValue(o, 'status.accessModes'))],
    ['StorageClass', (o) => String(pathValue(o, 'spec.storageClassName') ?? '<unset>')], ['VolumeAttributesClass', () => '<unset>'], AGE],
  PersistentVolume: [['Capacity', (o) => String(pathValue(o, 'spec.capacity.storage') ?? '')], ['Access Modes', (o) => accessModes(pathValue(o, 'spec.accessModes'))],
    ['Reclaim Policy', (o) => String(pathValue(o, 'spec.persistentVolumeReclaimPolicy') ?? '')], ['Status', (o) => String(pathValue(o, 'status.phase') ?? '')],
    ['Claim', (o) => (pathValue(o, 'spec.claimRef.name') === undefined ? '' : `${String(pathValue(o, 'spec.claimRef.namespace'))}/${String(pathValue(o, 'spec.claimRef.name'))}`)],
    ['StorageClass', (o) => String(pathValue(o, 'spec.storageClassName') ?? '')], ['VolumeAttributesClass', () => '<unset>'], ['Reason', () => ''], AGE],
  Ingress: [['Class', (o) => String(pathValue(o, 'spec.ingressClassName') ?? '<none>')], ['Hosts', ingressHosts], ['Address', () => ''],
    ['Ports', (o) => (Array.isArray(pathValue(o, 'spec.tls')) ? '80, 443' : '80')], AGE],
  IngressClass: [['Controller', (o) => String(pathValue(o, 'spec.controller') ?? '')], ['Parameters', () => '<none>'], AGE],
  ServiceAccount: [['Secrets', (o) => (Array.isArray(o['secrets']) ? o['secrets'].length : 0)], AGE],
};

function nodeReady(node: KubeObject): string {
  const conditions = pathValue(node, 'status.conditions');
  const ready = Array.isArray(conditions) ? conditions.find((c) => isObject(c) && c['type'] === 'Ready') : undefined;
  const status = isObject(ready) && ready['status'] === 'True' ? 'Ready' : 'NotReady';
  return pathValue(node, 'spec.unschedulable') === true ? `${status},SchedulingDisabled` : status;
}

function nodeRoles(node: KubeObject): string {
  const roles = Object.keys(node.metadata.labels ?? {}).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice('node-role.kubernetes.io/'.length));
  return roles.length > 0 ? roles.sort().join(',') : '<none>';
}

function accessModes(modes: unknown): string {
  const short: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
  return Array.isArray(modes) ? modes.map((m) => short[String(m)] ?? String(m)).join(',') : '';
}

function ingressHosts(ingress: KubeObject): string {
  const rules = pathValue(ingress, 'spec.rules');
  const hosts = Array.isArray(rules) ? rules.map((r) => pathValue(r, 'host')).filter((h): h is string => typeof h === 'string') : [];
  return hosts.length > 0 ? hosts.join(',') : '*';
}

export function tableFor(type: ResourceType | undefined, items: KubeObject[], resourceVersion: string, cont?: string, includeObject = false): Record<string, unknown> {
  const kind = type?.kind ?? items[0]?.kind ?? '';
  const columns: Column[] = [['Name', (o) => o.metadata.name ?? ''], ...(COLUMNS[kind] ?? [AGE])];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion, ...(cont === undefined ? {} : { continue: cont }) },
    columnDefinitions: columns.map(([name], i) => ({
      name,
      type: typeof columns[i]?.[1] === 'function' && name === 'Restarts' ? 'integer' : 'string',
      format: name === 'Name' ? 'name' : '',
      description: name,
      priority: 0,
    })),
    rows: items.map((obj) => ({
      cells: columns.map(([, cell]) => cell(obj)),
      object: includeObject ? obj : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata },
    })),
  };
}
