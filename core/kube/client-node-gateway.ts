/** The KubeGateway adapter over @kubernetes/client-node (KubernetesObjectApi for calls, Watch for streams). */
import { createConfiguration, KubeConfig, KubernetesObjectApi, PatchStrategy, ServerConfiguration, VersionApi, Watch, type Configuration } from '@kubernetes/client-node';
import { FleetError } from '../errors.js';
import { forContext } from './connection.js';
import { mapKubeError, timeoutError, type CallSite } from './errors.js';
import { abortableHttpLibrary, callScope, type CallScope } from './http-library.js';
import type { CallOptions, KubeGateway, KubeList, KubeObject, KubeRef, ListOptions, PatchType, ServerInfo, WatchEvent, WatchHandle, WatchOptions } from './types.js';

export const DEFAULT_KUBE_TIMEOUT_MS = 10_000;
const FIELD_MANAGER = 'fleetdeck';

/** KubernetesObjectApi with the context's namespace as default (its setter is protected). */
class ObjectApi extends KubernetesObjectApi {
  constructor(configuration: Configuration, namespace: string) {
    super(configuration);
    this.defaultNamespace = namespace;
  }

  /** Discovery of one kind (cached by client-node), for building watch paths. */
  resourceFor(apiVersion: string, kind: string): Promise<{ name: string; namespaced: boolean } | undefined> {
    return this.resource(apiVersion, kind);
  }
}

type Header = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

const PATCH_STRATEGIES: Record<PatchType, PatchStrategy> = {
  merge: PatchStrategy.MergePatch,
  json: PatchStrategy.JsonPatch,
  strategic: PatchStrategy.StrategicMergePatch,
  apply: PatchStrategy.ServerSideApply,
};

export interface ClientNodeGatewayOptions {
  /** Default per-call timeout (ms). */
  timeoutMs?: number;
}

function describe(verb: string, ref: { kind: string; name?: string; namespace?: string | undefined }): string {
  return `${verb} ${ref.kind}${ref.name === undefined ? '' : ` "${ref.name}"`}${ref.namespace === undefined ? '' : ` in namespace "${ref.namespace}"`}`;
}

export class ClientNodeKubeGateway implements KubeGateway {
  readonly context: string;
  readonly server: string;
  private readonly kc: KubeConfig;
  private readonly api: ObjectApi;
  private readonly versionApi: VersionApi;
  private readonly timeoutMs: number;

  /** `kc` may hold many contexts; the gateway keeps its own copy of just `context` (default: current). */
  constructor(kc: KubeConfig, context?: string, options: ClientNodeGatewayOptions = {}) {
    this.kc = forContext(kc, context);
    this.context = this.kc.getCurrentContext();
    const cluster = this.kc.getCurrentCluster();
    this.server = cluster?.server ?? '';
    this.timeoutMs = options.timeoutMs ?? DEFAULT_KUBE_TIMEOUT_MS;
    const namespace = this.kc.getContextObject(this.context)?.namespace ?? 'default';
    const configuration = createConfiguration({ baseServer: new ServerConfiguration(this.server, {}), authMethods: { default: this.kc }, httpApi: abortableHttpLibrary() });
    this.api = new ObjectApi(configuration, namespace);
    this.versionApi = new VersionApi(configuration);
  }

  private site(action: string): CallSite {
    return { context: this.context, server: this.server, action };
  }

  /**
   * Runs one call under its own deadline: the signal aborts the HTTP request, and the race returns on time even
   * if something below ignores the signal. Returns the raw JSON body of the last answer.
   */
  private async call(action: string, options: CallOptions | undefined, run: () => Promise<unknown>, body?: unknown): Promise<unknown> {
    const timeoutMs = options?.timeoutMs ?? this.timeoutMs;
    const controller = new AbortController();
    const outer = options?.signal;
    const onOuterAbort = (): void => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort(new Error('timeout'));
        reject(timeoutError(this.site(action), timeoutMs));
      }, timeoutMs);
    });
    const scope: CallScope = { signal: controller.signal, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
    try {
      await Promise.race([callScope.run(scope, run), deadline]);
      return scope.lastBody === undefined || scope.lastBody === '' ? undefined : (JSON.parse(scope.lastBody) as unknown);
    } catch (error) {
      if (controller.signal.aborted && outer?.aborted !== true) throw timeoutError(this.site(action), timeoutMs);
      if (outer?.aborted === true) throw new FleetError('TIMEOUT', `${action} on kube context "${this.context}" was cancelled`, 'Run it again when ready.', { context: this.context });
      throw mapKubeError(error, this.site(action));
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    }
  }

  private header(ref: KubeRef): Header {
    return { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }) } };
  }

  /** What client-node serialises (harmlessly); the real body goes through the call scope. */
  private headerOf(object: KubeObject): Header {
    const namespace = object.metadata.namespace;
    return { apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name ?? '', ...(namespace === undefined ? {} : { namespace }) } };
  }

  async version(options?: CallOptions): Promise<ServerInfo> {
    const body = await this.call('read the server version', options, () => this.versionApi.getCode());
    const info = body as Partial<ServerInfo> | undefined;
    return { gitVersion: info?.gitVersion ?? '', major: info?.major ?? '', minor: info?.minor ?? '' };
  }

  async get(ref: KubeRef, options?: CallOptions): Promise<KubeObject> {
    return (await this.call(describe('get', ref), options, () => this.api.read(this.header(ref)))) as KubeObject;
  }

  async find(ref: KubeRef, options?: CallOptions): Promise<KubeObject | undefined> {
    try {
      return await this.get(ref, options);
    } catch (error) {
      if (error instanceof FleetError && error.code === 'NOT_FOUND' && error.details['status'] === 404) return undefined;
      throw error;
    }
  }

  async list(apiVersion: string, kind: string, options: ListOptions = {}): Promise<KubeList> {
    const body = (await this.call(describe('list', { kind, namespace: options.namespace }), options, () =>
      this.api.list(apiVersion, kind, options.namespace, undefined, undefined, undefined, options.fieldSelector, options.labelSelector, options.limit),
    )) as { items?: KubeObject[]; metadata?: { resourceVersion?: string } } | undefined;
    const items = (body?.items ?? []).map((item) => ({ ...item, apiVersion: item.apiVersion ?? apiVersion, kind: item.kind ?? kind }));
    return { items, resourceVersion: body?.metadata?.resourceVersion ?? '' };
  }

  async create(object: KubeObject, options?: CallOptions): Promise<KubeObject> {
    return (await this.call(describe('create', { kind: object.kind, name: object.metadata.name ?? object.metadata.generateName, namespace: object.metadata.namespace }), options, () =>
      this.api.create(this.headerOf(object), undefined, undefined, FIELD_MANAGER),
    object)) as KubeObject;
  }

  async replace(object: KubeObject, options?: CallOptions): Promise<KubeObject> {
    return (await this.call(describe('update', { kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace }), options, () =>
      this.api.replace(this.headerOf(object), undefined, undefined, FIELD_MANAGER),
    object)) as KubeObject;
  }

  async patch(ref: KubeRef, patch: unknown, type: PatchType, options?: CallOptions): Promise<KubeObject> {
    return (await this.call(describe('patch', ref), options, () =>
      this.api.patch(this.header(ref), undefined, undefined, FIELD_MANAGER, type === 'apply' ? true : undefined, PATCH_STRATEGIES[type]),
    patch)) as KubeObject;
  }

  async apply(object: KubeObject, options?: CallOptions): Promise<KubeObject> {
    const ref: KubeRef = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name ?? '', ...(object.metadata.namespace === undefined ? {} : { namespace: object.metadata.namespace }) };
    return this.patch(ref, object, 'apply', options);
  }

  async delete(ref: KubeRef, options?: CallOptions): Promise<boolean> {
    try {
      await this.call(describe('delete', ref), options, () => this.api.delete(this.header(ref), undefined, undefined, undefined, undefined, 'Background'));
      return true;
    } catch (error) {
      if (error instanceof FleetError && error.code === 'NOT_FOUND' && error.details['status'] === 404) return false;
      throw error;
    }
  }

  async watch(apiVersion: string, kind: string, options: WatchOptions, onEvent: (event: WatchEvent) => void): Promise<WatchHandle> {
    const action = describe('watch', { kind, namespace: options.namespace });
    const path = await this.collectionPath(apiVersion, kind, options);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    let settle: { resolve: () => void; reject: (e: FleetError) => void } | undefined;
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    done.catch(() => undefined);
    const query: Record<string, string> = {};
    if (options.labelSelector !== undefined) query['labelSelector'] = options.labelSelector;
    if (options.fieldSelector !== undefined) query['fieldSelector'] = options.fieldSelector;
    if (options.resourceVersion !== undefined) query['resourceVersion'] = options.resourceVersion;
    let stopped = false;
    const starting = new Watch(this.kc).watch(
      path,
      query,
      (type, object) => onEvent({ type: type as WatchEvent['type'], object: object as KubeObject }),
      (err: unknown) => {
        if (err === null || err === undefined || stopped || (err as { name?: string }).name === 'AbortError') settle?.resolve();
        else settle?.reject(mapKubeError(err, this.site(action)));
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timeoutError(this.site(action), timeoutMs)), timeoutMs);
    });
    try {
      const controller = await Promise.race([starting, deadline]);
      return {
        stop: () => {
          stopped = true;
          controller.abort();
          settle?.resolve();
        },
        done,
      };
    } catch (error) {
      // The connection may still open later: close it then.
      void starting.then((c) => c.abort()).catch(() => undefined);
      throw error instanceof FleetError ? error : mapKubeError(error, this.site(action));
    } finally {
      clearTimeout(timer);
    }
  }

  /** The list URL of a kind, using the same discovery (and cache) as the other calls. */
  private async collectionPath(apiVersion: string, kind: string, options: WatchOptions): Promise<string> {
    const resource = await this.call(describe('discover', { kind }), options, async () => {
      const found = await this.api.resourceFor(apiVersion, kind);
      if (found === undefined) throw new Error(`Unrecognized API version and kind: ${apiVersion} ${kind}`);
      const scope = callScope.getStore();
      if (scope !== undefined) scope.lastBody = JSON.stringify(found);
    });
    const { name, namespaced } = resource as { name: string; namespaced: boolean };
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return namespaced && options.namespace !== undefined ? `${base}/namespaces/${encodeURIComponent(options.namespace)}/${name}` : `${base}/${name}`;
  }
}
