/**
 * The KubeGateway port: everything fleetdeck does to one Kubernetes cluster (one kube context), over any
 * apiVersion/kind. Objects are plain JSON exactly as the API server sent them.
 */
export interface KubeObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeObjectMeta;
  [key: string]: unknown;
}

/** Names one object. `namespace` is left out for cluster-scoped kinds; namespaced kinds default to the context's. */
export interface KubeRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface CallOptions {
  /** Overrides the gateway's default timeout for this call. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ListOptions extends CallOptions {
  /** Omitted: all namespaces for namespaced kinds. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
}

export interface KubeList {
  items: KubeObject[];
  resourceVersion: string;
}

/** merge = RFC 7386, json = RFC 6902, strategic = Kubernetes strategic merge, apply = server-side apply. */
export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

export interface WatchOptions extends ListOptions {
  /** Resume after this resourceVersion (from a list); omitted: current objects arrive first as ADDED. */
  resourceVersion?: string;
}

export interface WatchHandle {
  /** Ends the watch; `done` then resolves. */
  stop(): void;
  /** Resolves when the stream ends (stopped or closed by the server); rejects with a FleetError on failure. */
  readonly done: Promise<void>;
}

export interface ServerInfo {
  gitVersion: string;
  major: string;
  minor: string;
}

export interface KubeGateway {
  /** The kube context this gateway talks to, e.g. `k3d-dev`. */
  readonly context: string;
  /** The API server URL, for messages. Never carries credentials. */
  readonly server: string;

  version(options?: CallOptions): Promise<ServerInfo>;
  get(ref: KubeRef, options?: CallOptions): Promise<KubeObject>;
  /** Like get, but undefined instead of a NOT_FOUND error. */
  find(ref: KubeRef, options?: CallOptions): Promise<KubeObject | undefined>;
  list(apiVersion: string, kind: string, options?: ListOptions): Promise<KubeList>;
  create(object: KubeObject, options?: CallOptions): Promise<KubeObject>;
  /** PUT: the object's resourceVersion, when set, must be current (else CONFLICT). */
  replace(object: KubeObject, options?: CallOptions): Promise<KubeObject>;
  patch(ref: KubeRef, patch: unknown, type: PatchType, options?: CallOptions): Promise<KubeObject>;
  /** Server-side apply with fleetdeck as field manager: creates or updates. */
  apply(object: KubeObject, options?: CallOptions): Promise<KubeObject>;
  /** true when the object existed and was deleted, false when it was already gone. */
  delete(ref: KubeRef, options?: CallOptions): Promise<boolean>;
  watch(apiVersion: string, kind: string, options: WatchOptions, onEvent: (event: WatchEvent) => void): Promise<WatchHandle>;
}
