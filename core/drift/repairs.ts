/** The repair choices for each kind of drift, with the words the report shows. Pure. */
import type { Provider } from '../inventory/types.js';
import type { RegistrarKind } from '../registrars/types.js';
import type { RepairChoice } from './types.js';

const LABEL: Record<RegistrarKind, string> = { argocd: 'ArgoCD', portainer: 'Portainer', haproxy: 'HAProxy' };

export function registrarLabel(kind: RegistrarKind): string {
  return LABEL[kind];
}

/** What starting a stopped cluster comes down to with the provider's own tools (kind has no start command). */
export function startCommand(cluster: string, provider: Provider): string {
  return provider === 'k3d' ? `k3d cluster start ${cluster}` : `docker start ${cluster}-control-plane`;
}

export const repairs = {
  createBranch: (cluster: string): RepairChoice => ({
    action: { type: 'create_branch', cluster }, destructive: false,
    description: `create branch ${cluster} from the inventory row (seed's sync_git_from_db)`,
  }),
  archiveBranch: (branch: string): RepairChoice => ({
    action: { type: 'archive_branch', branch }, destructive: false,
    description: `archive branch ${branch} to archive/${branch}-<YYYYmmdd-HHMMSS>, then delete it`,
  }),
  recreateCluster: (cluster: string): RepairChoice => ({
    action: { type: 'recreate_cluster', cluster }, destructive: false,
    description: `run the create steps still missing for ${cluster}: create the cluster, then register it`,
  }),
  adoptCluster: (cluster: string, provider: Provider): RepairChoice => ({
    action: { type: 'adopt_cluster', cluster, provider }, destructive: false,
    description: `adopt ${provider} cluster ${cluster} into the inventory with the ports it publishes`,
  }),
  deleteCluster: (cluster: string, provider: Provider): RepairChoice => ({
    action: { type: 'delete_cluster', cluster, provider }, destructive: true,
    description: `delete ${provider} cluster ${cluster}`,
  }),
  ensureRegistration: (registrar: RegistrarKind, cluster: string): RepairChoice => ({
    action: { type: 'ensure_registration', registrar, cluster }, destructive: false,
    description: `register ${cluster} with ${LABEL[registrar]} again, as its row says`,
  }),
  removeRegistration: (registrar: RegistrarKind, cluster: string): RepairChoice => ({
    action: { type: 'remove_registration', registrar, cluster }, destructive: false,
    description: `remove ${LABEL[registrar]}'s registration of ${cluster}`,
  }),
  updateRowFromLive: (cluster: string, provider: Provider): RepairChoice => ({
    action: { type: 'update_row_from_live', cluster, provider }, destructive: false,
    description: `update the row of ${cluster} to what the running cluster publishes, then re-register it`,
  }),
  startCluster: (cluster: string, provider: Provider): RepairChoice => ({
    action: { type: 'start_cluster', cluster }, destructive: false,
    description: `start cluster ${cluster} (\`${startCommand(cluster, provider)}\`) and wait until its API server answers`,
  }),
  replaceCluster: (cluster: string): RepairChoice => ({
    action: { type: 'replace_cluster', cluster }, destructive: true,
    description: `delete cluster ${cluster} and create it again from its row, then re-register it`,
  }),
};
