/** The one node a sandbox cluster reports: Ready, schedulable, named as its provider names the container. */
import type { ClusterStore } from './store.js';

function nodeStatus(name: string, since: string): Record<string, unknown> {
  const condition = (type: string, status: string, reason: string, message: string): Record<string, string> =>
    ({ type, status, reason, message, lastHeartbeatTime: since, lastTransitionTime: since });
  const resources = { cpu: '4', memory: '8146624Ki', pods: '110', 'ephemeral-storage': '102626232Ki' };
  return {
    conditions: [
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ],
    addresses: [{ type: 'InternalIP', address: '172.18.0.2' }, { type: 'Hostname', address: name }],
    capacity: resources,
    allocatable: resources,
    nodeInfo: {
      architecture: 'amd64', operatingSystem: 'linux', osImage: 'fleetdeck sandbox', kernelVersion: '6.1.0',
      containerRuntimeVersion: 'containerd://1.7.24', kubeletVersion: 'v1.32.0', kubeProxyVersion: 'v1.32.0',
      machineID: '', systemUUID: '', bootID: '',
    },
  };
}

/** Adds the node unless the cluster already has one (state from an earlier run keeps its own). */
export function ensureNode(store: ClusterStore, name: string): void {
  const type = store.registry.byKind('', 'v1', 'Node');
  if (type === undefined || store.list(type, undefined).length > 0) return;
  const created = store.create(type, undefined, {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64', 'node-role.kubernetes.io/control-plane': '',
      },
    },
    spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] },
  });
  store.update(type, undefined, name, { ...created, status: nodeStatus(name, created.metadata.creationTimestamp ?? '') }, { subresource: 'status' });
}
