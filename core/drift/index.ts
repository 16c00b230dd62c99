export type {
  BranchHead, DriftItem, DriftKind, DriftReport, FleetSnapshot, Observed, RepairAction, RepairChoice, RepairType, SourceName, UncheckedSource,
} from './types.js';
export { DRIFT_KINDS } from './types.js';
export { collectSnapshot, type CollectOptions } from './collect.js';
export { diffFleet, uncheckedSources } from './diff.js';
export { chooseRepairs, orderedActions, snapshotFingerprint, type PlanOptions, type PlannedRepair } from './plan.js';
export type { PlanStatus, RepairPlan } from './plan-store.js';
export { DRIFT_REPAIR, repairKind, stepName, type RepairKindDeps, type RepairParams, type StartWaitOptions } from './repair-kind.js';
export { DriftService, reportOf, type ApplyResult, type DriftServiceDeps } from './drift-service.js';
export { expectedPorts, missingPorts, portsFromLive, subnetDiffers } from './live-match.js';
export { createFleetServices, fleetPortsFrom, type FleetLike, type FleetServices, type FleetServicesDeps } from './fleet-services.js';
