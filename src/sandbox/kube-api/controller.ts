/**
 * The sandbox controller: Jobs run a pod and complete (or fail) after a delay; Deployments and StatefulSets get
 * their pods and become ready (or crash-loop); PersistentVolumeClaims get a volume and become Bound; every
 * namespace gets its `default` ServiceAccount.
 * `sandbox.fleetdeck.io/fail: "true"` on the owner picks failure.
 * Reconciles run off the store's change stream on a later tick, and write nothing when nothing changed.
 */
import { createHash } from 'node:crypto';
import { isObject, pathValue, type KubeObject } from './json.js';
import { createPod, now, ownedPods, podState, podType, setPodState, wantsFailure } from './pods.js';
import type { ResourceType } from './resources.js';
import type { ClusterStore, StoreEvent } from './store.js';
import { CLAIMS, VOLUMES, reconcileClaim, reconcileVolume, releaseClaim } from './volumes.js';

export interface ControllerOptions {
  /** How long a Job runs before it completes or fails (default 300 ms). */
  jobDelayMs?: number;
  /** How long a workload's pods take to become ready or start crash-looping (default 100 ms). */
  podStartMs?: number;
  /** The node pods are scheduled to (default `sandbox-node`). */
  nodeName?: string;
  /**
   * Jobs whose container a sandbox node really runs (the dataplane installer): the controller creates their pod and
   * leaves the rest to it, as the kubelet and the Job controller do when the container exits.
   */
  runByNode?: (job: KubeObject) => boolean;
}

const NAMESPACES = '/namespaces';
const WATCHED = new Set(['batch/jobs', 'apps/deployments', 'apps/statefulsets', CLAIMS, VOLUMES, NAMESPACES]);

export class SandboxController {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pending = new Set<string>();
  private unsubscribe: (() => void) | undefined;
  private readonly jobDelayMs: number;
  private readonly podStartMs: number;
  private readonly nodeName: string;
  private readonly runByNode: ((job: KubeObject) => boolean) | undefined;
  private readonly bornAt = new Map<string, number>();

  constructor(
    private readonly store: ClusterStore,
    options: ControllerOptions = {},
  ) {
    this.jobDelayMs = options.jobDelayMs ?? 300;
    this.podStartMs = options.podStartMs ?? 100;
    this.nodeName = options.nodeName ?? 'sandbox-node';
    this.runByNode = options.runByNode;
  }

  start(): void {
    this.unsubscribe = this.store.subscribe((event) => this.onEvent(event));
    for (const resource of WATCHED) {
      const type = this.typeOf(resource);
      if (type === undefined) continue;
      for (const obj of this.store.list(type, undefined)) this.enqueue(resource, obj.metadata.namespace, obj.metadata.name ?? '', 0);
    }
  }

  stop(): void {
    this.unsubscribe?.();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.pending.clear();
  }

  private typeOf(resource: string): ResourceType | undefined {
    const [group, plural] = resource.split('/');
    return this.store.registry.anyVersion(group ?? '', plural ?? '');
  }

  private onEvent(event: StoreEvent): void {
    if (event.type === 'DELETED' && event.resource === CLAIMS) {
      const claim = event.object;
      queueMicrotask(() => releaseClaim(this.store, claim));
      return;
    }
    if (event.type === 'DELETED' || !WATCHED.has(event.resource)) return;
    this.enqueue(event.resource, event.object.metadata.namespace, event.object.metadata.name ?? '', 0);
  }

  private enqueue(resource: string, namespace: string | undefined, name: string, delayMs: number): void {
    const key = `${resource}|${namespace ?? ''}|${name}|${delayMs > 0 ? 'later' : 'now'}`;
    if (this.pending.has(key)) return;
    this.pending.add(key);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.pending.delete(key);
      const type = this.typeOf(resource);
      const obj = type === undefined ? undefined : this.store.find(type, namespace, name);
      if (type === undefined || obj === undefined) return;
      if (resource === 'batch/jobs') this.reconcileJob(type, obj);
      else if (resource === CLAIMS) reconcileClaim(this.store, type, obj);
      else if (resource === VOLUMES) reconcileVolume(this.store, type, obj);
      else if (resource === NAMESPACES) this.ensureDefaultServiceAccount(obj);
      else this.reconcileWorkload(type, obj);
    }, delayMs);
    this.timers.add(timer);
  }

  /** Every namespace has a `default` ServiceAccount, as the serviceaccount controller makes it. */
  private ensureDefaultServiceAccount(namespace: KubeObject): void {
    const type = this.store.registry.byKind('', 'v1', 'ServiceAccount');
    const name = namespace.metadata.name ?? '';
    if (type === undefined || pathValue(namespace, 'status.phase') === 'Terminating' || this.store.find(type, name, 'default') !== undefined) return;
    this.store.create(type, name, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: name } });
  }

  private reconcileJob(type: ResourceType, job: KubeObject): void {
    const conditions = pathValue(job, 'status.conditions');
    const finished = Array.isArray(conditions) && conditions.some((c) => isObject(c) && (c['type'] === 'Complete' || c['type'] === 'Failed') && c['status'] === 'True');
    if (finished) return;
    const byNode = this.runByNode?.(job) === true;
    const name = job.metadata.name ?? '';
    const startTime = pathValue(job, 'status.startTime');
    const resource = 'batch/jobs';
    if (typeof startTime !== 'string') {
      if (ownedPods(this.store, job).length === 0) {
        const pod = createPod(this.store, job, undefined, { 'job-name': name, 'batch.kubernetes.io/job-name': name }, this.nodeName);
        setPodState(this.store, pod, 'Running');
      }
      const latest = this.store.get(type, job.metadata.namespace, name);
      this.bornAt.set(job.metadata.uid ?? '', Date.now());
      this.store.update(type, job.metadata.namespace, name, { ...latest, status: { startTime: now(), active: 1, ready: 0, terminating: 0, uncountedTerminatedPods: {} } }, { subresource: 'status' });
      if (!byNode) this.enqueue(resource, job.metadata.namespace, name, this.jobDelayMs);
      return;
    }
    if (byNode) return;
    const started = this.bornAt.get(job.metadata.uid ?? '') ?? Date.parse(startTime);
    const remaining = started + this.jobDelayMs - Date.now();
    if (remaining > 0) {
      this.enqueue(resource, job.metadata.namespace, name, remaining);
      return;
    }
    const fail = wantsFailure(job);
    for (const pod of ownedPods(this.store, job)) setPodState(this.store, pod, fail ? 'Failed' : 'Succeeded');
    const at = now();
    const condition = (t: string, reason: string, message: string): Record<string, string> => ({ type: t, status: 'True', reason, message, lastProbeTime: at, lastTransitionTime: at });
    const status = fail
      ? { startTime, failed: 1, ready: 0, terminating: 0, uncountedTerminatedPods: {}, conditions: [condition('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'), condition('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit')] }
      : { startTime, completionTime: at, succeeded: 1, ready: 0, terminating: 0, uncountedTerminatedPods: {}, conditions: [condition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods'), condition('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods')] };
    const latest = this.store.get(type, job.metadata.namespace, name);
    this.store.update(type, job.metadata.namespace, name, { ...latest, status }, { subresource: 'status' });
  }

  private reconcileWorkload(type: ResourceType, owner: KubeObject): void {
    const replicas = typeof pathValue(owner, 'spec.replicas') === 'number' ? (pathValue(owner, 'spec.replicas') as number) : 1;
    const hash = createHash('sha256').update(JSON.stringify(pathValue(owner, 'spec.template') ?? {})).digest('hex').slice(0, 10);
    const isDeployment = owner.kind === 'Deployment';
    const name = owner.metadata.name ?? '';
    const hashLabel = isDeployment ? 'pod-template-hash' : 'controller-revision-hash';
    let pods = ownedPods(this.store, owner);
    for (const pod of pods) {
      const index = isDeployment ? -1 : Number(pod.metadata.name?.slice(name.length + 1));
      if (pod.metadata.labels?.[hashLabel] !== hash || (!isDeployment && index >= replicas)) this.store.delete(podType(this.store), pod.metadata.namespace, pod.metadata.name ?? '');
    }
    pods = ownedPods(this.store, owner);
    for (let i = 0; pods.length < replicas && i < replicas * 2; i++) {
      const podName = isDeployment ? `${name}-${hash.slice(0, 8)}-${Math.random().toString(36).slice(2, 7)}` : `${name}-${i}`;
      if (!isDeployment && pods.some((p) => p.metadata.name === podName)) continue;
      const pod = createPod(this.store, owner, podName, { [hashLabel]: hash, ...(isDeployment ? {} : { 'statefulset.kubernetes.io/pod-name': podName }) }, this.nodeName);
      this.bornAt.set(pod.metadata.uid ?? '', Date.now());
      pods = ownedPods(this.store, owner);
    }
    while (isDeployment && pods.length > replicas) {
      const extra = pods.pop();
      if (extra !== undefined) this.store.delete(podType(this.store), extra.metadata.namespace, extra.metadata.name ?? '');
    }
    const fail = wantsFailure(owner);
    let wait = 0;
    for (const pod of pods) {
      const born = this.bornAt.get(pod.metadata.uid ?? '') ?? 0;
      const left = born + this.podStartMs - Date.now();
      if (left > 0) wait = Math.max(wait, left);
      else setPodState(this.store, pod, fail ? 'CrashLoopBackOff' : 'Running');
    }
    if (wait > 0) this.enqueue(isDeployment ? 'apps/deployments' : 'apps/statefulsets', owner.metadata.namespace, name, wait);
    const ready = ownedPods(this.store, owner).filter((p) => podState(p) === 'Running').length;
    this.writeWorkloadStatus(type, owner, replicas, ready, hash);
  }

  private writeWorkloadStatus(type: ResourceType, owner: KubeObject, replicas: number, ready: number, hash: string): void {
    const latest = this.store.get(type, owner.metadata.namespace, owner.metadata.name ?? '');
    const previous = pathValue(latest, 'status.conditions');
    const keep = (t: string, status: string, reason: string, message: string): Record<string, string> => {
      const old = Array.isArray(previous) ? previous.find((c) => isObject(c) && c['type'] === t) : undefined;
      const same = isObject(old) && old['status'] === status && old['reason'] === reason;
      const at = now();
      return { type: t, status, reason, message, lastUpdateTime: same ? String(old['lastUpdateTime']) : at, lastTransitionTime: same ? String(old['lastTransitionTime']) : at };
    };
    const counts = (n: number): Record<string, number> => (n > 0 ? { readyReplicas: n, availableReplicas: n } : {});
    const status =
      owner.kind === 'Deployment'
        ? {
            observedGeneration: latest.metadata.generation,
            replicas,
            updatedReplicas: replicas,
            ...counts(ready),
            ...(replicas - ready > 0 ? { unavailableReplicas: replicas - ready } : {}),
            conditions: [
              ready >= replicas
                ? keep('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
                : keep('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
              ready >= replicas
                ? keep('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${owner.metadata.name ?? ''}-${hash.slice(0, 8)}" has successfully progressed.`)
                : keep('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${owner.metadata.name ?? ''}-${hash.slice(0, 8)}" is progressing.`),
            ],
          }
        : { observedGeneration: latest.metadata.generation, replicas, ...counts(ready), currentReplicas: replicas, updatedReplicas: replicas, currentRevision: `${owner.metadata.name ?? ''}-${hash}`, updateRevision: `${owner.metadata.name ?? ''}-${hash}`, collisionCount: 0 };
    this.store.update(type, owner.metadata.namespace, owner.metadata.name ?? '', { ...latest, status }, { subresource: 'status' });
  }
}
