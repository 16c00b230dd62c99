import type { ClusterRecord, Provider } from '../../../core/inventory/types.js';

export function record(name: string, provider: Provider, overrides: Partial<ClusterRecord> = {}): ClusterRecord {
  return {
    name,
    provider,
    subnet: provider === 'k3d' ? '10.101.0.0/16' : null,
    nodePort: 30080,
    pfPort: 19001,
    httpPort: 18081,
    httpsPort: 18443,
    registerPortainer: true,
    haproxyRoute: true,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}
