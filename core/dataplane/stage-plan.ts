import type { StorageMode } from './types.js';

/** The installer's stages, named as seed 000 (installer/pkg/installer/stages.go) names them. */
export const STAGE_NAMES = [
  'StageOperators', 'StageWaitOperators', 'StageInfrastructure', 'StageWaitInfra', 'StageInit',
  'StageDatabaseMigration', 'StageStorageSecret', 'StageApplications', 'StageWaitApps',
] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** external: storage exists, only the applications are installed (5 stages). */
export const EXTERNAL_STAGES: readonly StageName[] = [
  'StageInit', 'StageDatabaseMigration', 'StageStorageSecret', 'StageApplications', 'StageWaitApps',
];

/** lens-managed: operators and storage first, then the same as external (9 stages). */
export const LENS_MANAGED_STAGES: readonly StageName[] = [
  'StageOperators', 'StageWaitOperators', 'StageInfrastructure', 'StageWaitInfra', 'StageInit',
  'StageDatabaseMigration', 'StageStorageSecret', 'StageApplications', 'StageWaitApps',
];

export function stagesFor(mode: StorageMode): readonly StageName[] {
  return mode === 'external' ? EXTERNAL_STAGES : LENS_MANAGED_STAGES;
}

/** The Helm releases the stages install, in the cluster configuration's namespace. */
export const RELEASES = {
  operators: 'primus-lens-operators',
  infrastructure: 'primus-lens-infrastructure',
  init: 'primus-lens-init',
  migration: 'primus-lens-migration',
  applications: 'primus-lens-apps',
} as const;

/** Charts, overridable per cluster with helm_values.charts.<release>. */
export const DEFAULT_CHARTS: Record<string, string> = {
  [RELEASES.operators]: 'primus-lens/operators',
  [RELEASES.infrastructure]: 'primus-lens/infrastructure',
  [RELEASES.init]: 'primus-lens/init',
  [RELEASES.migration]: 'primus-lens/migration',
  [RELEASES.applications]: 'primus-lens/applications',
};

export const STORAGE_SECRET_NAME = 'primus-lens-storage-config';
