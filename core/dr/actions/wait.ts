/**
 * Waiting for an object's status to decide an action (seed 004 §5: "Watch Job 状态 + 超时定时器"): a watch on the
 * one object (fieldSelector metadata.name) reacts to every change at once; a slower poll backs it up in case the
 * watch drops or the server does not support it. The action's timeout ends the wait through the signal.
 */
import type { KubeGateway, KubeObject, KubeRef, WatchHandle } from '../../kube/types.js';
import { abortReason } from './types.js';

export type Decision<T> = { done: false } | { done: true; value: T } | { done: true; error: Error };

export interface WaitOptions {
  signal: AbortSignal;
  /** How often to re-read the object besides the watch (default 2 s). */
  pollMs?: number;
}

export async function waitForObject<T>(kube: KubeGateway, ref: KubeRef, current: KubeObject | undefined, decide: (object: KubeObject | undefined) => Decision<T>, options: WaitOptions): Promise<T> {
  const pollMs = options.pollMs ?? 2000;
  return new Promise<T>((resolve, reject) => {
    let finished = false;
    let watch: WatchHandle | null = null;
    let timer: NodeJS.Timeout | null = null;
    const finish = (decision: Decision<T>): void => {
      if (finished || !decision.done) return;
      finished = true;
      cleanup();
      if ('error' in decision) reject(decision.error);
      else resolve(decision.value);
    };
    const onAbort = (): void => {
      if (finished) return;
      finished = true;
      cleanup();
      reject(abortReason(options.signal));
    };
    const cleanup = (): void => {
      options.signal.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
      watch?.stop();
    };
    const poll = (): void => {
      timer = setTimeout(() => {
        kube.find(ref, { signal: options.signal })
          .then((object) => { finish(decide(object)); if (!finished) poll(); })
          .catch((error: unknown) => { if (!finished && !options.signal.aborted) finish({ done: true, error: error instanceof Error ? error : new Error(String(error)) }); });
      }, pollMs);
    };
    if (options.signal.aborted) return onAbort();
    options.signal.addEventListener('abort', onAbort, { once: true });
    finish(decide(current));
    if (finished) return;
    poll();
    kube.watch(ref.apiVersion, ref.kind, { ...(ref.namespace ? { namespace: ref.namespace } : {}), fieldSelector: `metadata.name=${ref.name}`, signal: options.signal }, (event) => {
      if (event.type === 'ADDED' || event.type === 'MODIFIED') finish(decide(event.object));
      else if (event.type === 'DELETED') finish(decide(undefined));
    }).then((handle) => {
      if (finished) handle.stop();
      else watch = handle;
    }).catch(() => {
      // No watch (or it failed to start): the poll decides, just more slowly.
    });
  });
}
