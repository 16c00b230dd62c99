/**
 * Helm 3's release storage, as its default Secret driver keeps it: one Secret per revision named
 * `sh.helm.release.v1.<name>.v<revision>`, type `helm.sh/release.v1`, labels name/owner/status/version, and the
 * release JSON gzipped and base64-encoded in `data.release` (so base64 twice, counting the Secret's own encoding).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { KubeGateway, KubeObject } from '../../../core/kube/types.js';

export const RELEASE_SECRET_TYPE = 'helm.sh/release.v1';

export interface HelmReleaseRecord {
  name: string;
  namespace: string;
  version: number;
  info: {
    first_deployed: string;
    last_deployed: string;
    deleted: string;
    description: string;
    /** deployed, superseded, failed, pending-install, pending-upgrade, uninstalling, uninstalled. */
    status: string;
    notes?: string;
  };
  chart: { metadata: { name: string; version: string; appVersion: string; apiVersion: string } };
  config: Record<string, unknown>;
  manifest: string;
}

export function releaseSecretName(name: string, version: number): string {
  return `sh.helm.release.v1.${name}.v${version}`;
}

export function encodeRelease(release: HelmReleaseRecord): string {
  const helmEncoded = gzipSync(Buffer.from(JSON.stringify(release), 'utf8')).toString('base64');
  return Buffer.from(helmEncoded, 'utf8').toString('base64');
}

export function decodeRelease(secret: KubeObject): HelmReleaseRecord | null {
  const data = (secret['data'] as Record<string, string> | undefined)?.['release'];
  if (!data) return null;
  try {
    const helmEncoded = Buffer.from(data, 'base64').toString('utf8');
    return JSON.parse(gunzipSync(Buffer.from(helmEncoded, 'base64')).toString('utf8')) as HelmReleaseRecord;
  } catch {
    return null;
  }
}

function secretFor(release: HelmReleaseRecord, resourceVersion?: string): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Secret', type: RELEASE_SECRET_TYPE,
    metadata: {
      name: releaseSecretName(release.name, release.version), namespace: release.namespace,
      labels: { name: release.name, owner: 'helm', status: release.info.status, version: String(release.version) },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    data: { release: encodeRelease(release) },
  };
}

/** Every stored revision of one release (or of all releases), oldest first. */
export async function releaseHistory(kube: KubeGateway, namespace: string | undefined, name?: string): Promise<HelmReleaseRecord[]> {
  const list = await kube.list('v1', 'Secret', {
    ...(namespace ? { namespace } : {}),
    labelSelector: name ? `owner=helm,name=${name}` : 'owner=helm',
  });
  return list.items
    .filter((s) => s['type'] === RELEASE_SECRET_TYPE)
    .map(decodeRelease)
    .filter((r): r is HelmReleaseRecord => r !== null)
    .sort((a, b) => a.version - b.version);
}

/** The newest revision of each release. */
export function latestByName(history: readonly HelmReleaseRecord[]): HelmReleaseRecord[] {
  const latest = new Map<string, HelmReleaseRecord>();
  for (const release of history) {
    const key = `${release.namespace}/${release.name}`;
    if ((latest.get(key)?.version ?? -1) < release.version) latest.set(key, release);
  }
  return [...latest.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export async function createRelease(kube: KubeGateway, release: HelmReleaseRecord): Promise<void> {
  await kube.create(secretFor(release));
}

/** Rewrites a stored revision (its status changes as later revisions supersede it). */
export async function updateRelease(kube: KubeGateway, release: HelmReleaseRecord): Promise<void> {
  const ref = { apiVersion: 'v1', kind: 'Secret', namespace: release.namespace, name: releaseSecretName(release.name, release.version) };
  const existing = await kube.find(ref);
  if (!existing) await kube.create(secretFor(release));
  else await kube.replace(secretFor(release, existing.metadata.resourceVersion));
}

export async function deleteReleaseHistory(kube: KubeGateway, history: readonly HelmReleaseRecord[]): Promise<void> {
  for (const release of history) {
    await kube.delete({ apiVersion: 'v1', kind: 'Secret', namespace: release.namespace, name: releaseSecretName(release.name, release.version) });
  }
}
