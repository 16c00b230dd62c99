import type { GitRemote } from './gitops/types.js';
import type { Provider } from './inventory/types.js';
import type { KubeGateway } from './kube/types.js';
import type { ClusterProvider } from './providers/types.js';
import type { Registrar } from './registrars/types.js';

/**
 * Everything outside PostgreSQL that an environment spans: the cluster providers, the Git remote with one
 * branch per cluster, the registrars (ArgoCD, Portainer, HAProxy) and a KubeGateway per cluster. A real fleet
 * and the sandbox world are two sets of adapters behind this one shape.
 */
export interface Fleet {
  providers: Record<Provider, ClusterProvider>;
  git: GitRemote;
  registrars: { argocd: Registrar; portainer: Registrar; haproxy: Registrar };
  /** The gateway to a cluster of the inventory by name, or to the management cluster by MANAGEMENT_CLUSTER. */
  kube(clusterName: string): Promise<KubeGateway>;
  readonly sandbox: boolean;
  close(): Promise<void>;
}

/** The management cluster (Kindler's devops) that hosts ArgoCD and fleetdeck's own services. */
export const MANAGEMENT_CLUSTER = 'devops';
