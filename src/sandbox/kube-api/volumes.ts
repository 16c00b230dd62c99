/**
 * Dynamic provisioning as local-path-provisioner and the PV controller do it: a PersistentVolumeClaim gets a
 * PersistentVolume `pvc-<uid>` made for it, both become Bound; deleting the claim deletes a volume whose reclaim
 * policy is Delete. A claim marked `sandbox.fleetdeck.io/fail: "true"` stays Pending.
 */
import { isObject, pathValue, type JsonObject, type KubeObject } from './json.js';
import { wantsFailure } from './pods.js';
import type { ResourceType } from './resources.js';
import type { ClusterStore } from './store.js';

export const CLAIMS = '/persistentvolumeclaims';
export const VOLUMES = '/persistentvolumes';
const PROVISIONER = 'rancher.io/local-path';

function phaseOf(obj: KubeObject): unknown {
  return pathValue(obj, 'status.phase');
}

function volumeType(store: ClusterStore): ResourceType {
  const type = store.registry.byKind('', 'v1', 'PersistentVolume');
  if (type === undefined) throw new Error('the PersistentVolume resource is missing');
  return type;
}

function setStatus(store: ClusterStore, type: ResourceType, obj: KubeObject, status: JsonObject): void {
  const latest = store.get(type, obj.metadata.namespace, obj.metadata.name ?? '');
  if (JSON.stringify(latest['status']) === JSON.stringify(status)) return;
  store.update(type, obj.metadata.namespace, obj.metadata.name ?? '', { ...latest, status }, { subresource: 'status' });
}

export function reconcileClaim(store: ClusterStore, type: ResourceType, claim: KubeObject): void {
  if (phaseOf(claim) === 'Bound' || wantsFailure(claim)) return;
  const namespace = claim.metadata.namespace ?? 'default';
  const name = claim.metadata.name ?? '';
  const spec = isObject(claim['spec']) ? claim['spec'] : {};
  const storage = pathValue(spec, 'resources.requests.storage') ?? '1Gi';
  const accessModes = Array.isArray(spec['accessModes']) ? spec['accessModes'] : ['ReadWriteOnce'];
  const storageClassName = typeof spec['storageClassName'] === 'string' ? spec['storageClassName'] : undefined;
  const pvType = volumeType(store);
  const volumeName = typeof spec['volumeName'] === 'string' && spec['volumeName'] !== '' ? spec['volumeName'] : `pvc-${claim.metadata.uid ?? ''}`;
  const claimRef = { kind: 'PersistentVolumeClaim', namespace, name, uid: claim.metadata.uid, apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion };
  let volume = store.find(pvType, undefined, volumeName);
  if (volume === undefined) {
    volume = store.create(pvType, undefined, {
      apiVersion: 'v1', kind: 'PersistentVolume',
      metadata: { name: volumeName, annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER } },
      spec: {
        capacity: { storage }, accessModes, persistentVolumeReclaimPolicy: 'Delete', volumeMode: spec['volumeMode'] ?? 'Filesystem',
        ...(storageClassName === undefined ? {} : { storageClassName }),
        claimRef,
        hostPath: { path: `/var/local-path-provisioner/${volumeName}_${namespace}_${name}`, type: 'DirectoryOrCreate' },
      },
    });
  }
  setStatus(store, pvType, volume, { phase: 'Bound', lastPhaseTransitionTime: volume.metadata.creationTimestamp ?? '' });
  const latest = store.get(type, namespace, name);
  store.update(type, namespace, name, {
    ...latest,
    metadata: { ...latest.metadata, annotations: { ...(latest.metadata.annotations ?? {}),
      'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes', 'volume.kubernetes.io/storage-provisioner': PROVISIONER } },
    spec: { ...(isObject(latest['spec']) ? latest['spec'] : {}), volumeName },
  });
  setStatus(store, type, latest, { phase: 'Bound', accessModes, capacity: { storage } });
}

/** A volume made by hand: Available until a claim names it. */
export function reconcileVolume(store: ClusterStore, type: ResourceType, volume: KubeObject): void {
  if (phaseOf(volume) !== 'Pending' || pathValue(volume, 'spec.claimRef') !== undefined) return;
  setStatus(store, type, volume, { phase: 'Available', lastPhaseTransitionTime: volume.metadata.creationTimestamp ?? '' });
}

export function releaseClaim(store: ClusterStore, claim: KubeObject): void {
  const pvType = volumeType(store);
  for (const volume of store.list(pvType, undefined)) {
    if (pathValue(volume, 'spec.claimRef.uid') !== claim.metadata.uid) continue;
    if (pathValue(volume, 'spec.persistentVolumeReclaimPolicy') === 'Delete') store.delete(pvType, undefined, volume.metadata.name ?? '');
    else setStatus(store, pvType, volume, { phase: 'Released', lastPhaseTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
  }
}
