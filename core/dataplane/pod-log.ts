import { CoreV1Api } from '@kubernetes/client-node';
import { errorMessage } from '../errors.js';
import type { KubeConfigSource, KubeConnection } from '../kube/connection.js';
import { loadKubeConfig } from '../kube/connection.js';

/** Reads the tail of a pod's log (the KubeGateway port has no log call: logs are text, not objects). */
export type PodLogReader = (namespace: string, pod: string, options: { tailLines: number }) => Promise<string>;

/**
 * A reader over client-node's CoreV1Api for the same connection the gateway uses. `context` is the gateway's
 * context, so a kube context the fleet resolved (`dev` → `kind-dev`) is read the same way.
 */
export function podLogReader(connection: KubeConnection, context: string | undefined, source: KubeConfigSource = {}): PodLogReader {
  return async (namespace, pod, { tailLines }) => {
    const kc = loadKubeConfig(connection, source);
    if (context && connection.kind !== 'server' && kc.getContexts().some((c) => c.name === context)) kc.setCurrentContext(context);
    const api = kc.makeApiClient(CoreV1Api);
    try {
      return String(await api.readNamespacedPodLog({ name: pod, namespace, tailLines }));
    } catch (error) {
      throw new Error(`cannot read the log of pod ${pod}: ${errorMessage(error).split('\n')[0]}`);
    }
  };
}
