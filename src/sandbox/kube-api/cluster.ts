/** One running sandbox cluster: store, HTTP server, controller and persistence, started and stopped together. */
import type { AddressInfo } from 'node:net';
import { SandboxController, type ControllerOptions } from './controller.js';
import { clone, type KubeObject } from './json.js';
import { readState, stateFileFor, StatePersister } from './persistence.js';
import { ensureNode } from './node.js';
import { FAIL_ANNOTATION } from './pods.js';
import { splitApiVersion, type ResourceType } from './resources.js';
import { createKubeApiServer, type ServerBehaviour, type TokenRole } from './server.js';
import { notFound } from './status.js';
import { ClusterStore } from './store.js';

export interface SandboxClusterOptions {
  name: string;
  /** Directory holding `<name>.json`; without it the cluster lives in memory only. */
  stateDir?: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** `false` turns the controller off; Jobs then never complete. */
  controller?: ControllerOptions | false;
  /** Bearer tokens the server accepts; without them every request is allowed. */
  tokens?: Record<string, TokenRole>;
  /** The cluster's one node (default `<name>-control-plane`, as kind names it). */
  nodeName?: string;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** Programmatic access to a sandbox cluster's objects, going through the same rules as the HTTP API. */
export class SandboxObjects {
  constructor(readonly store: ClusterStore) {}

  typeOf(apiVersion: string, kind: string): ResourceType {
    const { group, version } = splitApiVersion(apiVersion);
    const type = this.store.registry.byKind(group, version, kind);
    if (type === undefined) throw notFound('resource type', group, `${apiVersion} ${kind}`);
    return type;
  }

  get(ref: ObjectRef): KubeObject | undefined {
    const found = this.store.find(this.typeOf(ref.apiVersion, ref.kind), ref.namespace, ref.name);
    return found === undefined ? undefined : clone(found);
  }

  list(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    return this.store.list(this.typeOf(apiVersion, kind), namespace).map(clone);
  }

  /** Creates the object, or replaces it (keeping its status) when it exists; a missing namespace is created. */
  put(obj: KubeObject): KubeObject {
    const type = this.typeOf(obj.apiVersion, obj.kind);
    const ns = type.namespaced ? (obj.metadata.namespace ?? 'default') : undefined;
    if (ns !== undefined) this.ensureNamespace(ns);
    const name = obj.metadata.name ?? '';
    const existing = this.store.find(type, ns, name);
    const body = { ...obj, metadata: { ...obj.metadata } };
    delete body.metadata.resourceVersion;
    return clone(existing === undefined ? this.store.create(type, ns, body) : this.store.update(type, ns, name, body));
  }

  /** Writes an object's status directly, as a controller would. */
  putStatus(ref: ObjectRef, status: unknown): KubeObject {
    const type = this.typeOf(ref.apiVersion, ref.kind);
    const existing = this.store.get(type, ref.namespace, ref.name);
    return clone(this.store.update(type, ref.namespace, ref.name, { ...existing, status }, { subresource: 'status' }));
  }

  delete(ref: ObjectRef): boolean {
    const type = this.typeOf(ref.apiVersion, ref.kind);
    if (this.store.find(type, ref.namespace, ref.name) === undefined) return false;
    this.store.delete(type, ref.namespace, ref.name);
    return true;
  }

  ensureNamespace(name: string): void {
    const type = this.typeOf('v1', 'Namespace');
    if (this.store.find(type, undefined, name) === undefined) this.store.create(type, undefined, { metadata: { name } });
  }

  /** Marks a Job or workload to fail (Job Failed, pods CrashLoopBackOff), or clears the mark. */
  setFailure(ref: ObjectRef, fail: boolean): KubeObject {
    const type = this.typeOf(ref.apiVersion, ref.kind);
    const existing = this.store.get(type, ref.namespace, ref.name);
    const annotations = { ...(existing.metadata.annotations ?? {}) };
    if (fail) annotations[FAIL_ANNOTATION] = 'true';
    else delete annotations[FAIL_ANNOTATION];
    return clone(this.store.update(type, ref.namespace, ref.name, { ...existing, metadata: { ...existing.metadata, annotations } }));
  }
}

export interface SandboxCluster {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly objects: SandboxObjects;
  readonly store: ClusterStore;
  /** Simulates a slow cluster: every answer waits this long. */
  setLatency(ms: number): void;
  /** Writes pending state to disk now. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSandboxCluster(options: SandboxClusterOptions): Promise<SandboxCluster> {
  const store = new ClusterStore();
  const file = options.stateDir === undefined ? undefined : stateFileFor(options.stateDir, options.name);
  const state = file === undefined ? undefined : readState(file);
  const restored = state !== undefined && (state.snapshot !== undefined || state.changes.length > 0);
  if (restored) store.load(state.snapshot, state.changes);
  const persister = file === undefined ? undefined : new StatePersister(file, store);
  const nodeName = options.nodeName ?? `${options.name}-control-plane`;
  ensureNode(store, nodeName);
  const behaviour: ServerBehaviour = { ...(options.tokens === undefined ? {} : { tokens: options.tokens }) };
  const { server, watches } = createKubeApiServer(store, behaviour);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // The built-in namespaces and the node keep their uid and creationTimestamp across restarts from the start.
  if (!restored) await persister?.flush(true);
  const controller = options.controller === false ? undefined : new SandboxController(store, { nodeName, ...(options.controller ?? {}) });
  controller?.start();
  const port = (server.address() as AddressInfo).port;
  let stopped = false;
  return {
    name: options.name,
    url: `http://${host}:${port}`,
    port,
    store,
    objects: new SandboxObjects(store),
    setLatency: (ms) => {
      behaviour.latencyMs = ms;
    },
    flush: async () => persister?.flush(),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      controller?.stop();
      watches.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await persister?.close();
    },
  };
}
