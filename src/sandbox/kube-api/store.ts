/**
 * The object store of one sandbox cluster: every object of every resource, a global resourceVersion counter,
 * and a bounded history of changes so watches can resume from a resourceVersion. Stored objects are never
 * mutated in place; each change stores a fresh object.
 */
import { randomUUID } from 'node:crypto';
import { checkIdentity, defaultOnCreate, hasGeneration, randomSuffix, validateName } from './admission.js';
import { clone, isObject, stableEqual, type KubeObject } from './json.js';
import { ResourceRegistry, groupVersionOf, resourcesFromCrd, storageKey, type ResourceType } from './resources.js';
import { alreadyExists, conflict, badRequest, notFound, preconditionFailed, StatusError } from './status.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  resource: string; // storage key: group/plural
  object: KubeObject;
  /** The object before a MODIFIED change, so selector watches can see objects leave or enter their set. */
  previous?: KubeObject;
  rv: number;
}

export interface StoreSnapshot {
  resourceVersion: number;
  objects: KubeObject[];
}

const HISTORY_LIMIT = 500;
const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

export interface WriteOptions {
  dryRun?: boolean;
}

/** DeleteOptions.preconditions: the delete only happens to the object with this uid / resourceVersion. */
export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

export class ClusterStore {
  readonly registry = new ResourceRegistry();
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private rv = 0;
  private history: StoreEvent[] = [];
  private readonly listeners = new Set<(event: StoreEvent) => void>();

  constructor() {
    for (const ns of ['default', 'kube-system', 'kube-public']) this.bootstrapNamespace(ns);
  }

  get resourceVersion(): number {
    return this.rv;
  }

  private bootstrapNamespace(name: string): void {
    const type = this.registry.byKind('', 'v1', 'Namespace');
    if (type !== undefined && this.find(type, undefined, name) === undefined) this.create(type, undefined, { metadata: { name } });
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Changes after `rv`, or undefined when they have already left the history window (410 Gone). */
  eventsSince(rv: number): StoreEvent[] | undefined {
    if (rv >= this.rv) return [];
    const first = this.history[0];
    if (first === undefined || first.rv > rv + 1) return undefined;
    return this.history.filter((e) => e.rv > rv);
  }

  private bucket(type: ResourceType): Map<string, KubeObject> {
    const key = storageKey(type);
    let bucket = this.objects.get(key);
    if (bucket === undefined) {
      bucket = new Map();
      this.objects.set(key, bucket);
    }
    return bucket;
  }

  /** Serves a stored object under the version the client asked for (no conversion between versions). */
  private view(type: ResourceType, obj: KubeObject): KubeObject {
    const gv = groupVersionOf(type);
    return obj.apiVersion === gv ? obj : { ...obj, apiVersion: gv };
  }

  find(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.bucket(type).get(`${type.namespaced ? (namespace ?? '') : ''}/${name}`);
    return obj === undefined ? undefined : this.view(type, obj);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const obj = this.find(type, namespace, name);
    if (obj === undefined) throw notFound(type.plural, type.group, name);
    return obj;
  }

  /** Objects sorted by namespace and name; `namespace` undefined lists across all namespaces. */
  list(type: ResourceType, namespace: string | undefined): KubeObject[] {
    const out: KubeObject[] = [];
    for (const obj of this.bucket(type).values()) {
      if (type.namespaced && namespace !== undefined && obj.metadata.namespace !== namespace) continue;
      out.push(this.view(type, obj));
    }
    return out.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  }

  private requireNamespace(type: ResourceType, namespace: string | undefined): void {
    if (!type.namespaced) return;
    if (namespace === undefined || namespace === '') throw badRequest('the server could not find the requested resource: a namespace is required');
    const nsType = this.registry.byKind('', 'v1', 'Namespace');
    if (nsType !== undefined && this.find(nsType, undefined, namespace) === undefined) throw notFound('namespaces', '', namespace);
  }

  create(type: ResourceType, namespace: string | undefined, body: unknown, options: WriteOptions = {}): KubeObject {
    const obj = clone(checkIdentity(type, namespace, body));
    this.requireNamespace(type, namespace);
    const meta = obj.metadata;
    if ((meta.name === undefined || meta.name === '') && typeof meta.generateName === 'string' && meta.generateName !== '') {
      meta.name = `${meta.generateName}${randomSuffix()}`;
    }
    validateName(type, obj);
    const name = meta.name ?? '';
    if (this.find(type, namespace, name) !== undefined) throw alreadyExists(type.plural, type.group, name);
    for (const key of ['resourceVersion', 'deletionTimestamp', 'managedFields', 'selfLink']) delete meta[key];
    meta.uid = randomUUID();
    meta.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if (hasGeneration(obj)) meta.generation = 1;
    else delete meta.generation;
    if (type.statusSubresource) delete obj['status'];
    defaultOnCreate(type, obj);
    if (options.dryRun === true) return obj;
    return this.commit(type, 'ADDED', obj);
  }

  update(type: ResourceType, namespace: string | undefined, name: string, body: unknown, options: WriteOptions & { subresource?: 'status' } = {}): KubeObject {
    const incoming = checkIdentity(type, namespace, body);
    const existing = this.get(type, namespace, name);
    if (incoming.metadata.name !== undefined && incoming.metadata.name !== name) {
      throw badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
    }
    const sentRv = incoming.metadata.resourceVersion;
    if (sentRv !== undefined && sentRv !== '' && sentRv !== existing.metadata.resourceVersion) throw conflict(type.plural, type.group, name);
    let next: KubeObject;
    if (options.subresource === 'status') {
      next = { ...clone(existing), status: clone(incoming['status']) };
    } else {
      next = clone(incoming);
      if (type.statusSubresource) {
        if (existing['status'] === undefined) delete next['status'];
        else next['status'] = clone(existing['status']);
      }
      if (type.kind === 'Secret') defaultOnCreate(type, next);
    }
    const meta = next.metadata;
    meta.name = name;
    meta.uid = existing.metadata.uid;
    meta.creationTimestamp = existing.metadata.creationTimestamp;
    meta.resourceVersion = existing.metadata.resourceVersion;
    if (existing.metadata.generation !== undefined) meta.generation = existing.metadata.generation;
    validateName(type, next);
    if (stableEqual(next, existing)) return existing;
    if (meta.generation !== undefined && !stableEqual(withoutMetaAndStatus(next), withoutMetaAndStatus(existing))) meta.generation += 1;
    if (options.dryRun === true) return next;
    return this.commit(type, 'MODIFIED', next, existing);
  }

  delete(type: ResourceType, namespace: string | undefined, name: string, options: WriteOptions & { preconditions?: Preconditions } = {}): KubeObject {
    const existing = this.get(type, namespace, name);
    const { uid, resourceVersion } = options.preconditions ?? {};
    if (uid !== undefined && uid !== existing.metadata.uid) {
      throw preconditionFailed(type.plural, type.group, name, `UID in precondition: ${uid}, UID in object meta: ${existing.metadata.uid ?? ''}`);
    }
    if (resourceVersion !== undefined && resourceVersion !== existing.metadata.resourceVersion) {
      throw preconditionFailed(type.plural, type.group, name, `ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion ?? ''}`);
    }
    if (type.kind === 'Namespace' && PROTECTED_NAMESPACES.has(name)) {
      throw new StatusError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
    }
    if (options.dryRun === true) return existing;
    this.bucket(type).delete(keyOf(existing));
    const deleted = this.record(type, 'DELETED', { ...existing, metadata: { ...existing.metadata } });
    this.cascade(existing);
    if (type.kind === 'CustomResourceDefinition') this.refreshCustomTypes();
    return deleted;
  }

  /** Deleting a namespace, a CRD, or an owner takes its dependents with it, as the garbage collector would. */
  private cascade(owner: KubeObject): void {
    const uid = owner.metadata.uid;
    const crdTypes = owner.kind === 'CustomResourceDefinition' ? resourcesFromCrd(owner).map(storageKey) : [];
    for (const type of this.registry.all()) {
      for (const obj of [...this.bucket(type).values()]) {
        const owned = obj.metadata.ownerReferences?.some((ref) => ref.uid === uid) === true;
        const inNamespace = owner.kind === 'Namespace' && type.namespaced && obj.metadata.namespace === owner.metadata.name;
        const crdGone = crdTypes.includes(storageKey(type));
        if ((owned || inNamespace || crdGone) && this.bucket(type).has(keyOf(obj))) {
          this.bucket(type).delete(keyOf(obj));
          this.record(type, 'DELETED', obj);
          this.cascade(obj);
        }
      }
    }
  }

  private commit(type: ResourceType, kind: WatchEventType, obj: KubeObject, previous?: KubeObject): KubeObject {
    this.bucket(type).set(keyOf(obj), obj);
    const stored = this.record(type, kind, obj, previous);
    if (type.kind === 'CustomResourceDefinition') this.refreshCustomTypes();
    return stored;
  }

  private record(type: ResourceType, kind: WatchEventType, obj: KubeObject, previous?: KubeObject): KubeObject {
    this.rv += 1;
    obj.metadata.resourceVersion = String(this.rv);
    const event: StoreEvent = { type: kind, resource: storageKey(type), object: obj, rv: this.rv, ...(previous === undefined ? {} : { previous }) };
    this.history.push(event);
    if (this.history.length > HISTORY_LIMIT) this.history = this.history.slice(-HISTORY_LIMIT / 2);
    for (const listener of this.listeners) listener(event);
    return obj;
  }

  private refreshCustomTypes(): void {
    const crdType = this.registry.byKind('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition');
    if (crdType === undefined) return;
    this.registry.setCustom(this.list(crdType, undefined).flatMap((crd) => resourcesFromCrd(crd)));
  }

  snapshot(): StoreSnapshot {
    const objects: KubeObject[] = [];
    for (const bucket of this.objects.values()) objects.push(...bucket.values());
    return { resourceVersion: this.rv, objects };
  }

  /**
   * Replaces the whole state with a snapshot (CRDs first, so their custom resources find their types), then
   * replays the changes logged after it, in order (onto the built-in state when there is no snapshot yet).
   */
  load(snapshot: StoreSnapshot | undefined, changes: readonly { rv: number; type: WatchEventType; object: KubeObject }[] = []): void {
    this.history = [];
    if (snapshot !== undefined) {
      this.objects.clear();
      const isCrd = (o: KubeObject): boolean => o.kind === 'CustomResourceDefinition';
      for (const obj of [...snapshot.objects.filter(isCrd), ...snapshot.objects.filter((o) => !isCrd(o))]) this.restore('MODIFIED', obj);
      this.rv = Math.max(snapshot.resourceVersion, this.rv);
    }
    for (const change of changes) {
      this.restore(change.type, change.object);
      this.rv = Math.max(change.rv, this.rv);
    }
  }

  /** Puts back (or removes) an object as it was stored, without a new resourceVersion or an event. */
  private restore(kind: WatchEventType, obj: KubeObject): void {
    const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
    const type = this.registry.byKind(group ?? '', version ?? '', obj.kind);
    if (type === undefined) return;
    if (kind === 'DELETED') this.bucket(type).delete(keyOf(obj));
    else this.bucket(type).set(keyOf(obj), obj);
    if (obj.kind === 'CustomResourceDefinition') this.refreshCustomTypes();
  }
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

function withoutMetaAndStatus(obj: KubeObject): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...obj };
  delete rest['metadata'];
  delete rest['status'];
  return rest;
}

export function isKubeObject(value: unknown): value is KubeObject {
  return isObject(value) && typeof value['kind'] === 'string' && typeof value['apiVersion'] === 'string' && isObject(value['metadata']);
}
