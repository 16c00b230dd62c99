import type { AppView, BackupReport, FailoverReport, ReloadReport } from '../../core/apps/index.js';
import type { CockpitSource } from '../source.js';

/**
 * What the Apps panel needs from the engine: the App → Component → Group tree with live member state, and the
 * three day-2 actions. core/apps' AppsService has exactly these methods; `src/tui` passes one as `apps`.
 * Groups are named `NAMESPACE/NAME`.
 */
export interface AppsSource {
  tree(): Promise<AppView[]>;
  failover(group: string): Promise<FailoverReport>;
  reload(group: string): Promise<ReloadReport>;
  backup(group: string): Promise<BackupReport>;
}

/** The optional member a cockpit source adds to have an Apps panel (CockpitSource gains `apps?: AppsSource`). */
export interface CockpitSourceWithApps extends CockpitSource {
  apps?: AppsSource;
}

export function appsSourceOf(source: CockpitSource): AppsSource | undefined {
  return (source as CockpitSourceWithApps).apps;
}
