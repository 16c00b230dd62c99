/**
 * What the sandbox world needs for the dataplane installer (seed 000): Primus-SaFE's Cluster CRD and one Cluster
 * resource per environment in the devops cluster (cluster sync turns them into cluster configurations), and the
 * `primus-lens-storage-config` Secret in some clusters and not others, so both storage modes occur.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Engine } from '../../../core/engine.js';
import { PRIMUS_CLUSTER, STORAGE_SECRET_NAME, SecretBox, dataplaneFor, fleetKubeFactory } from '../../../core/dataplane/index.js';
import type { ClusterSyncReport, StorageSyncReport } from '../../../core/dataplane/index.js';
import { syncClusters, syncStorageConfigs } from '../../../core/dataplane/index.js';
import type { Fleet } from '../../../core/fleet.js';
import { MANAGEMENT_CLUSTER } from '../../../core/fleet.js';
import type { KubeGateway, KubeObject } from '../../../core/kube/types.js';
import type { WorldLayout } from './world-file.js';
import { readWorld } from './world-file.js';

/** The namespace the Lens dataplane installs into (the cluster configurations' default). */
export const LENS_NAMESPACE = 'primus-lens';

/** Which environments carry a storage Secret, and what it declares; the others have none (skipped by storage sync). */
export const SEEDED_STORAGE: Readonly<Record<string, 'external' | 'lens-managed'>> = {
  dev: 'external',
  prod: 'lens-managed',
  'prod-k3d': 'lens-managed',
};

export const PRIMUS_CLUSTER_CRD: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'clusters.amd.com' },
  spec: {
    group: 'amd.com', scope: 'Cluster',
    names: { kind: 'Cluster', listKind: 'ClusterList', plural: 'clusters', singular: 'cluster' },
    // No status subresource: the seed writes status with the object, as Primus-SaFE's controller would have.
    versions: [{ name: 'v1', served: true, storage: true,
      schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
};

/** A key for the sandbox's encrypted columns, kept beside the world (FLEETDECK_SECRET_KEY wins when set). */
export function sandboxSecretBox(layout: WorldLayout, env: NodeJS.ProcessEnv = process.env): SecretBox {
  const fromEnv = SecretBox.fromEnv(env);
  if (fromEnv) return fromEnv;
  const path = join(layout.root, 'secret.key');
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  return SecretBox.fromKey(readFileSync(path, 'utf8'));
}

function storageSecret(name: string, mode: 'external' | 'lens-managed'): KubeObject {
  const settings: Record<string, string> = mode === 'external'
    ? {
        storage_mode: 'external',
        postgres_host: `postgres.${name}.sandbox.local`, postgres_port: '5432', postgres_user: 'lens', postgres_password: `sandbox-${name}-pg`,
        opensearch_host: `opensearch.${name}.sandbox.local`, opensearch_port: '9200',
        prometheus_url: `http://prometheus.${name}.sandbox.local:9090`,
      }
    : { storage_mode: 'lens-managed', storage_class: 'local-path', postgres_size: '20Gi', opensearch_size: '50Gi' };
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
    metadata: { name: STORAGE_SECRET_NAME, namespace: LENS_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'primus-lens' } },
    data: Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

async function ensure(kube: KubeGateway, object: KubeObject): Promise<void> {
  const ref = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name ?? '', ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}) };
  if (!(await kube.find(ref))) await kube.create(object);
}

async function waitForKind(kube: KubeGateway): Promise<void> {
  for (let i = 0; i < 50; i += 1) {
    try {
      await kube.list(PRIMUS_CLUSTER.apiVersion, PRIMUS_CLUSTER.kind);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export interface DataplaneSeedReport {
  clusters: ClusterSyncReport;
  storage: StorageSyncReport;
}

/**
 * Writes the Cluster resources and storage Secrets (idempotent), then runs one cluster sync and one storage sync so
 * `fleetdeck --sandbox deploy dev` works straight away; the daemon keeps them in sync from then on.
 */
export async function seedDataplane(engine: Engine, fleet: Fleet, layout: WorldLayout): Promise<DataplaneSeedReport> {
  const world = readWorld(layout);
  const management = await fleet.kube(MANAGEMENT_CLUSTER);
  await ensure(management, PRIMUS_CLUSTER_CRD);
  await waitForKind(management);
  const environments = new Set((await engine.inventory.list()).map((c) => c.name));
  for (const cluster of world?.clusters ?? []) {
    if (!environments.has(cluster.name)) continue; // Not an environment of the inventory (seeded drift).
    await ensure(management, {
      apiVersion: PRIMUS_CLUSTER.apiVersion, kind: PRIMUS_CLUSTER.kind,
      metadata: { name: cluster.name, labels: { 'primus-safe.amd.com/provider': cluster.provider } },
      spec: { provider: cluster.provider, description: `sandbox ${cluster.provider} cluster ${cluster.name}` },
      status: { controlPlaneStatus: { phase: 'Ready', endpoints: [`http://127.0.0.1:${cluster.port}`] } },
    });
    const mode = SEEDED_STORAGE[cluster.name];
    if (mode) {
      const kube = await fleet.kube(cluster.name);
      await ensure(kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: LENS_NAMESPACE } });
      await ensure(kube, storageSecret(cluster.name, mode));
    }
  }
  const secrets = sandboxSecretBox(layout);
  const kubeFactory = dataplaneFor(engine, { secrets, kubeFactory: fleetKubeFactory(async () => fleet) }).kubeFactory;
  const clusters = await syncClusters(engine.db, engine.relay, management, secrets);
  const storage = await syncStorageConfigs({ db: engine.db, secrets, kubeFactory });
  return { clusters, storage };
}
