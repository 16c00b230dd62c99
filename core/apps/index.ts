/** core/apps: the middleware platform (seed 003): App → Component → Group, plugins, rendering, agents, backups. */
export * from './model.js';
export { MIDDLEWARE_CRDS } from './crds.js';
export { parseApp, parseComponent, parseGroup, parseMiddleware } from './parse.js';
export { resolveIntOrPercent } from './fields.js';
export { componentsOf, groupsOf, appObject, componentObject, groupObject, componentShortName } from './expand.js';
export { parsePlugin, pluginHash, indexPlugins, REQUIRED_DEFINES } from './plugin.js';
export type { Plugin } from './plugin.js';
export { renderGroup, renderData, configMapDataHash, manifestsToYaml, sortForCreation, deepMerge, RENDERED_KIND_ORDER } from './render.js';
export type { RenderedGroup } from './render.js';
export { readClusterApps, readYamlApps, findNamed, pluginFor } from './catalog.js';
export type { AppsSnapshot } from './catalog.js';
export {
  creationPlan, applyApp, applyRendered, deleteApp, deleteGroupResources, deleteRenderedResources, stopPods, refOf,
} from './lifecycle.js';
export type { ObjectStep } from './lifecycle.js';
export {
  groupAgents, probeMembers, patchGroupStatus, withRoles, defaultAgentClients, masterByAgents, explainUnreachable,
} from './agents.js';
export type { InstanceAgent, MemberView, MemberHealth, AgentClientFactory } from './agents.js';
export {
  reloadGroup, reloadAgents, reloadChangedConfigMap, restartInstance, failoverGroup, configTextHash, configTextOf,
} from './operations.js';
export type { InstanceReload, ReloadReport, ReloadOptions, FailoverReport } from './operations.js';
export { decideConfigMap, configMapState, handEditConflict } from './configmap-edits.js';
export type { ConfigMapDecision } from './configmap-edits.js';
export { planRollout, markGroupsForRender, rollGroup, standInFor } from './rollout.js';
export type { RolloutPlan, RolloutReport, RollOptions } from './rollout.js';
export { AppsService } from './apps-service.js';
export type {
  AppsServiceOptions, AppView, ComponentView, GroupView, GroupHealth, BackupReport, RestoreReport,
} from './apps-service.js';
export { createAppsService, startEngineAppsController, describeControllerEvent } from './engine-apps.js';
export type { EngineAppsControllerOptions } from './engine-apps.js';
export { registerAppsKinds, appsApplyKind, appsDeleteKind, APPS_APPLY, APPS_DELETE, appsOperationTarget } from './apps-kinds.js';
export type { AppsApplyParams, AppsDeleteParams, AppsKindDeps } from './apps-kinds.js';
export { restoreInPlace } from './restore-in-place.js';
export { startAppsController, startAppsControllerSingleton, defaultControllerIdentity } from './apps-controller.js';
export type {
  AppsController, AppsControllerEvent, AppsControllerOptions, AppsControllerSingleton, AppsControllerSingletonOptions,
} from './apps-controller.js';
export { contendForControllerLease, CONTROLLER_LEASE } from './controller-lease.js';
export type { ControllerLease, LeaseOptions } from './controller-lease.js';
