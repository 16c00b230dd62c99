/** core/apps: the middleware platform (seed 003): App → Component → Group, plugins, rendering, agents, backups. */
export * from './model.js';
export { MIDDLEWARE_CRDS } from './crds.js';
export { parseApp, parseComponent, parseGroup, parseMiddleware } from './parse.js';
export { resolveIntOrPercent } from './fields.js';
export { componentsOf, groupsOf, appObject, componentObject, groupObject, componentShortName } from './expand.js';
export { parsePlugin, pluginHash, indexPlugins, REQUIRED_DEFINES } from './plugin.js';
export type { Plugin } from './plugin.js';
export { renderGroup, renderData, manifestsToYaml, sortForCreation, deepMerge, RENDERED_KIND_ORDER } from './render.js';
export type { RenderedGroup } from './render.js';
export { readClusterApps, readYamlApps, findNamed, pluginFor } from './catalog.js';
export type { AppsSnapshot } from './catalog.js';
export { creationPlan, applyApp, applyRendered, deleteApp, deleteGroupResources, refOf } from './lifecycle.js';
export type { ObjectStep } from './lifecycle.js';
export { groupAgents, probeMembers, patchGroupStatus, withRoles, defaultAgentClients } from './agents.js';
export type { InstanceAgent, MemberView, MemberHealth, AgentClientFactory } from './agents.js';
export {
  reloadGroup, reloadAgents, reloadChangedConfigMap, restartInstance, failoverGroup, configTextHash,
} from './operations.js';
export type { InstanceReload, ReloadReport, FailoverReport } from './operations.js';
export { planRollout, markGroupsForRender, rollGroup } from './rollout.js';
export type { RolloutPlan, RolloutReport, RollOptions } from './rollout.js';
export { AppsService } from './apps-service.js';
export type {
  AppsServiceOptions, AppView, ComponentView, GroupView, GroupHealth, BackupReport, RestoreReport,
} from './apps-service.js';
export { createAppsService } from './engine-apps.js';
export { startAppsController } from './apps-controller.js';
export type { AppsControllerEvent, AppsControllerOptions } from './apps-controller.js';
