import { ClusterTable } from '../components/cluster-table.js';
import type { PanelBodyProps } from './panel-definition.js';

export function ClustersPanel({ height }: PanelBodyProps) {
  return <ClusterTable height={height} />;
}
