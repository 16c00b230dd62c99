import type { EngineEvent, EngineEventInput } from '../../core/events.js';
import type { ClusterRecord } from '../../core/inventory/types.js';
import type {
  CockpitEventListener, CockpitSource, CockpitStatus, DriftSource, InstallsSource, LifecycleSource,
} from '../../views/source.js';

export function cluster(name: string, index = 0, overrides: Partial<ClusterRecord> = {}): ClusterRecord {
  const k3d = index % 2 === 0;
  return {
    name,
    provider: k3d ? 'k3d' : 'kind',
    subnet: k3d ? `10.${100 + Math.floor(index / 256) % 100}.${index % 256}.0/24` : null,
    nodePort: 30080,
    pfPort: 20000 + index * 3,
    httpPort: 20001 + index * 3,
    httpsPort: 20002 + index * 3,
    registerPortainer: true,
    haproxyRoute: index % 3 !== 0,
    createdAt: new Date(Date.now() - 3_600_000).toISOString(),
    updatedAt: new Date().toISOString(),
    ...overrides,
  };
}

/** `env-00000`, `env-00001`, …: names sort in index order. */
export function clusters(count: number, prefix = 'env'): ClusterRecord[] {
  return Array.from({ length: count }, (_, i) => cluster(`${prefix}-${String(i).padStart(5, '0')}`, i));
}

/** An in-memory stand-in for the engine: the list lives in an array, changes emit inventory events. */
export class MemorySource implements CockpitSource {
  readonly status: CockpitStatus;
  rows: ClusterRecord[];
  reads = 0;
  removed: string[] = [];
  failRemove: Error | null = null;
  /** Optional capabilities (test/views/fake-*.ts); without them the panels say they are not available. */
  drift?: DriftSource;
  lifecycle?: LifecycleSource;
  installs?: InstallsSource;
  private listeners = new Set<CockpitEventListener>();

  constructor(rows: ClusterRecord[], status: Partial<CockpitStatus> = {}) {
    this.rows = rows;
    this.status = { databaseTarget: 'memory', sandbox: false, readonly: false, ...status };
  }

  async listClusters(): Promise<ClusterRecord[]> {
    this.reads += 1;
    return this.rows.slice();
  }

  subscribe(listener: CockpitEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: EngineEventInput & { origin?: EngineEvent['origin'] }): void {
    for (const listener of this.listeners) listener({ origin: 'remote', at: new Date().toISOString(), ...event } as EngineEvent);
  }

  /** The listeners' count, so tests can wait for the cockpit to subscribe. */
  get listenerCount(): number {
    return this.listeners.size;
  }

  add(row: ClusterRecord): void {
    this.rows = [...this.rows, row].sort((a, b) => a.name.localeCompare(b.name));
    this.emit({ topic: 'inventory', type: 'cluster.added', target: row.name });
  }

  async removeCluster(name: string): Promise<void> {
    if (this.failRemove) throw this.failRemove;
    this.removed.push(name);
    this.rows = this.rows.filter((row) => row.name !== name);
    this.emit({ topic: 'inventory', type: 'cluster.removed', target: name, origin: 'local' });
  }
}
