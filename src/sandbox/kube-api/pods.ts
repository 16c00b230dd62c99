/** Pods the sandbox controller makes for Jobs, Deployments and StatefulSets, and the statuses it gives them. */
import { isObject, pathValue, type JsonObject, type KubeObject } from './json.js';
import type { ClusterStore } from './store.js';
import type { ResourceType } from './resources.js';

export const FAIL_ANNOTATION = 'sandbox.fleetdeck.io/fail';

export function wantsFailure(obj: KubeObject): boolean {
  return obj.metadata.annotations?.[FAIL_ANNOTATION] === 'true';
}

export function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

export function podType(store: ClusterStore): ResourceType {
  const type = store.registry.byKind('', 'v1', 'Pod');
  if (type === undefined) throw new Error('the Pod resource is missing');
  return type;
}

export function ownedPods(store: ClusterStore, owner: KubeObject): KubeObject[] {
  return store
    .list(podType(store), owner.metadata.namespace)
    .filter((pod) => pod.metadata.ownerReferences?.some((ref) => ref.uid === owner.metadata.uid) === true);
}

function containersOf(template: unknown): JsonObject[] {
  const containers = pathValue(template, 'spec.containers');
  return Array.isArray(containers) ? containers.filter(isObject) : [{ name: 'main', image: 'busybox' }];
}

export function createPod(store: ClusterStore, owner: KubeObject, name: string | undefined, extraLabels: Record<string, string>, nodeName = 'sandbox-node'): KubeObject {
  const template = pathValue(owner, 'spec.template');
  const templateLabels = pathValue(template, 'metadata.labels');
  const labels = { ...(isObject(templateLabels) ? (templateLabels as Record<string, string>) : {}), ...extraLabels };
  const spec = pathValue(template, 'spec');
  return store.create(podType(store), owner.metadata.namespace, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...(name === undefined ? { generateName: `${owner.metadata.name ?? 'pod'}-` } : { name }),
      namespace: owner.metadata.namespace,
      labels,
      ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: isObject(spec) ? { ...spec, nodeName } : { containers: containersOf(template), nodeName },
  });
}

export type PodState = 'Pending' | 'Running' | 'CrashLoopBackOff' | 'Succeeded' | 'Failed';

export function podState(pod: KubeObject): PodState {
  const phase = pathValue(pod, 'status.phase');
  if (JSON.stringify(pathValue(pod, 'status.containerStatuses') ?? []).includes('CrashLoopBackOff')) return 'CrashLoopBackOff';
  return phase === 'Running' || phase === 'Succeeded' || phase === 'Failed' ? phase : 'Pending';
}

/** Moves a pod to a state, writing through the status subresource; no write when it is already there. */
export function setPodState(store: ClusterStore, pod: KubeObject, state: PodState): void {
  if (podState(pod) === state) return;
  const at = now();
  const containers = containersOf({ spec: pod['spec'] });
  const ready = state === 'Running';
  const containerState = (): JsonObject => {
    switch (state) {
      case 'Running':
        return { running: { startedAt: at } };
      case 'CrashLoopBackOff':
        return { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container (sandbox.fleetdeck.io/fail)' } };
      case 'Succeeded':
        return { terminated: { exitCode: 0, reason: 'Completed', startedAt: at, finishedAt: at } };
      case 'Failed':
        return { terminated: { exitCode: 1, reason: 'Error', startedAt: at, finishedAt: at } };
      case 'Pending':
        return { waiting: { reason: 'ContainerCreating' } };
    }
  };
  const status = {
    phase: state === 'CrashLoopBackOff' ? 'Running' : state,
    hostIP: '10.0.0.1',
    podIP: `10.244.0.${(Number.parseInt(pod.metadata.uid?.slice(0, 2) ?? '0', 16) % 250) + 2}`,
    startTime: pathValue(pod, 'status.startTime') ?? at,
    conditions: [
      { type: 'Initialized', status: 'True', lastTransitionTime: at },
      { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: at, ...(ready ? {} : { reason: 'ContainersNotReady' }) },
      { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: at },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: at },
    ],
    containerStatuses: containers.map((c) => ({
      name: c['name'] ?? 'main',
      image: c['image'] ?? '',
      imageID: '',
      ready,
      started: state === 'Running',
      restartCount: state === 'CrashLoopBackOff' ? 3 : 0,
      state: containerState(),
    })),
  };
  store.update(podType(store), pod.metadata.namespace, pod.metadata.name ?? '', { ...pod, status }, { subresource: 'status' });
}
