/**
 * A cluster is one row of the inventory: the single source of truth for a business environment
 * (seeds 001/002). Git branches, registrations and CSV exports are derived from it.
 */
export type Provider = 'k3d' | 'kind';
export const PROVIDERS: readonly Provider[] = ['k3d', 'kind'];

export interface ClusterRecord {
  name: string;
  provider: Provider;
  /** CIDR; k3d clusters get one allocated, kind clusters share one network and may have none. */
  subnet: string | null;
  /** In-cluster NodePort (30080 by default); may repeat across clusters. */
  nodePort: number;
  pfPort: number;
  httpPort: number;
  httpsPort: number;
  registerPortainer: boolean;
  haproxyRoute: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What a user asks for when adding a cluster; anything left out is allocated. */
export interface ClusterSpec {
  name: string;
  provider: Provider;
  subnet?: string | null;
  nodePort?: number;
  pfPort?: number;
  httpPort?: number;
  httpsPort?: number;
  registerPortainer?: boolean;
  haproxyRoute?: boolean;
}

export const DEFAULT_NODE_PORT = 30080;
