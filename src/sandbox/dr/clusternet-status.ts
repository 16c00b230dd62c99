/**
 * What Clusternet's controllers would do with a Localization or Subscription, simulated in a sandbox cluster so the
 * DR actions that watch their status (core/dr/actions/resources.ts) see both outcomes. Shortly after an object is
 * created or its spec changes, its status gets a Ready condition for that generation:
 *  - False (reason FeedNotFound) when a feed it names does not exist in the cluster, or when the object carries
 *    `sandbox.fleetdeck.io/fail: "true"`;
 *  - True otherwise. A Subscription also gets bindingClusters, desiredReleases and completedReleases.
 */
import type { KubeObject } from '../../../core/kube/types.js';
import type { SandboxCluster } from '../kube-api/cluster.js';
import { FAIL_ANNOTATION } from '../kube-api/pods.js';

const WATCHED: Record<string, string> = { 'apps.clusternet.io/localizations': 'Localization', 'apps.clusternet.io/subscriptions': 'Subscription' };
const API_VERSION = 'apps.clusternet.io/v1alpha1';

interface Feed {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

export interface ClusternetSimulator {
  stop(): void;
}

function observed(object: KubeObject): number {
  const status = (object.status ?? {}) as { observedGeneration?: number };
  return status.observedGeneration ?? 0;
}

function feedsOf(object: KubeObject): Feed[] {
  const spec = (object.spec ?? {}) as { feed?: Feed; feeds?: Feed[] };
  return object.kind === 'Localization' ? (spec.feed ? [spec.feed] : []) : (spec.feeds ?? []);
}

export function startClusternetStatus(cluster: SandboxCluster, options: { delayMs?: number } = {}): ClusternetSimulator {
  const delayMs = options.delayMs ?? 150;
  const timers = new Set<NodeJS.Timeout>();
  const exists = (feed: Feed, namespace: string | undefined): boolean => {
    if (!feed.apiVersion || !feed.kind || !feed.name) return false;
    try {
      return cluster.objects.get({ apiVersion: feed.apiVersion, kind: feed.kind, name: feed.name, namespace: feed.namespace ?? namespace ?? 'default' }) !== undefined;
    } catch {
      return false;
    }
  };
  const decide = (kind: string, namespace: string | undefined, name: string): void => {
    const ref = { apiVersion: API_VERSION, kind, name, ...(namespace ? { namespace } : {}) };
    let object: KubeObject | undefined;
    try {
      object = cluster.objects.get(ref);
    } catch {
      return;
    }
    const generation = object?.metadata.generation ?? 1;
    if (!object || observed(object) >= generation) return;
    const missing = feedsOf(object).filter((f) => !exists(f, namespace));
    const forced = object.metadata.annotations?.[FAIL_ANNOTATION] === 'true';
    const ok = missing.length === 0 && !forced;
    const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const condition = {
      type: 'Ready', status: ok ? 'True' : 'False', observedGeneration: generation, lastTransitionTime: at,
      reason: ok ? 'Applied' : forced ? 'SandboxFailure' : 'FeedNotFound',
      message: ok ? `${kind} applied to the sandbox's DR clusters`
        : forced ? `${kind} marked to fail (${FAIL_ANNOTATION})`
          : `feed ${missing.map((f) => `${f.kind ?? '?'} ${f.namespace ?? namespace ?? 'default'}/${f.name ?? '?'}`).join(', ')} not found`,
    };
    const status = kind === 'Subscription'
      ? { observedGeneration: generation, bindingClusters: ok ? ['clusternet-dr/dr-cluster'] : [], desiredReleases: ok ? 1 : 0, completedReleases: ok ? 1 : 0, conditions: [condition] }
      : { observedGeneration: generation, conditions: [condition] };
    try {
      cluster.objects.putStatus(ref, status);
    } catch {
      // Deleted meanwhile: nothing to report.
    }
  };
  const unsubscribe = cluster.store.subscribe((event) => {
    const kind = WATCHED[event.resource];
    if (!kind || event.type === 'DELETED') return;
    const object = event.object;
    if (observed(object) >= (object.metadata.generation ?? 1)) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      decide(kind, object.metadata.namespace, object.metadata.name ?? '');
    }, delayMs);
    timers.add(timer);
  });
  // Objects left undecided by an earlier host (the state file survives restarts).
  for (const kind of Object.values(WATCHED)) {
    try {
      for (const o of cluster.objects.list(API_VERSION, kind)) if (observed(o) < (o.metadata.generation ?? 1)) decide(kind, o.metadata.namespace, o.metadata.name ?? '');
    } catch {
      // The Clusternet CRDs are not installed in this cluster.
    }
  }
  return {
    stop: () => {
      unsubscribe();
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
