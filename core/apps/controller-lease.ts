/**
 * Leader election for the apps controller, the way Kubernetes controllers do it: a lease object in the cluster the
 * controller acts on, taken and renewed with compare-and-swap on its resourceVersion. Every fleetdeck process that
 * may run the controller (the daemon, `serve`, the sandbox host) contends for the same lease, whichever database it
 * uses, so exactly one of them drives a cluster's apps. Expiry is judged by the contender's own clock (how long the
 * record has not changed), so clocks of different hosts never need to agree.
 */
import { FleetError } from '../errors.js';
import type { KubeGateway, KubeObject } from '../kube/types.js';

export const CONTROLLER_LEASE = { namespace: 'kube-system', name: 'fleetdeck-apps-controller' } as const;

export interface LeaseOptions {
  /** Who contends, e.g. `user@host:pid`; must differ between processes. */
  identity: string;
  /** A holder that has not renewed for this long is presumed dead. Default 15 s. */
  leaseMs?: number;
  /** How often the holder renews and contenders look. Default leaseMs / 3. */
  renewMs?: number;
  onAcquired(): Promise<void> | void;
  onLost(): Promise<void> | void;
  onError?(error: unknown): void;
}

export interface ControllerLease {
  isLeader(): boolean;
  /** Stops contending; a holder steps down and frees the lease for the next one at once. */
  stop(): Promise<void>;
}

const REF = { apiVersion: 'v1', kind: 'ConfigMap', ...CONTROLLER_LEASE };

function holderOf(object: KubeObject | undefined): string {
  const data = object?.['data'] as Record<string, unknown> | undefined;
  return typeof data?.['holder'] === 'string' ? data['holder'] : '';
}

function record(identity: string, leaseMs: number, base?: KubeObject): KubeObject {
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: {
      name: CONTROLLER_LEASE.name, namespace: CONTROLLER_LEASE.namespace,
      ...(base?.metadata.resourceVersion ? { resourceVersion: base.metadata.resourceVersion } : {}),
      labels: { 'app.kubernetes.io/managed-by': 'fleetdeck', 'app.kubernetes.io/component': 'leader-election' },
    },
    data: { holder: identity, renewedAt: new Date().toISOString(), leaseSeconds: String(Math.ceil(leaseMs / 1000)) },
  };
}

const isConflict = (error: unknown) => error instanceof FleetError && error.code === 'CONFLICT';

export function contendForControllerLease(kube: KubeGateway, options: LeaseOptions): ControllerLease {
  const leaseMs = options.leaseMs ?? 15_000;
  const renewMs = options.renewMs ?? Math.max(50, Math.floor(leaseMs / 3));
  let leader = false;
  let stopped = false;
  let lastRenewed = 0;
  /** The record as last seen, and when (by this process's clock) it last changed. */
  let observed: { resourceVersion: string; at: number } | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();

  const become = async (next: boolean) => {
    if (next === leader) return;
    leader = next;
    if (next) await options.onAcquired();
    else await options.onLost();
  };

  const tick = async () => {
    try {
      const current = await kube.find(REF);
      const now = Date.now();
      if (!current) {
        await kube.create(record(options.identity, leaseMs));
        lastRenewed = now;
        await become(true);
        return;
      }
      const holder = holderOf(current);
      if (holder === options.identity) {
        await kube.replace(record(options.identity, leaseMs, current));
        lastRenewed = now;
        await become(true);
        return;
      }
      await become(false);
      const version = current.metadata.resourceVersion ?? '';
      if (observed?.resourceVersion !== version) observed = { resourceVersion: version, at: now };
      if (holder === '' || now - observed.at >= leaseMs) {
        await kube.replace(record(options.identity, leaseMs, current));
        lastRenewed = now;
        observed = null;
        await become(true);
      }
    } catch (error) {
      // Another process won the race: it holds the lease now.
      if (isConflict(error)) {
        await become(false);
        return;
      }
      options.onError?.(error);
      // A holder that cannot renew steps down before its lease runs out, so two never act at once.
      if (leader && Date.now() - lastRenewed >= leaseMs - renewMs) await become(false);
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(schedule);
    }, renewMs);
    timer.unref?.();
  };
  running = tick().finally(schedule);

  return {
    isLeader: () => leader,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running.catch(() => undefined);
      if (!leader) return;
      await become(false);
      try {
        const current = await kube.find(REF);
        if (current && holderOf(current) === options.identity) await kube.replace(record('', leaseMs, current));
      } catch {
        // The lease expires by itself.
      }
    },
  };
}
