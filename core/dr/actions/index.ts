/** The DR action handlers (seed 004): HTTP, Job, Clusternet resources and KubernetesResource. */
import type { Action, ActionOutputs } from '../schema/types.js';
import { runHttpAction } from './http.js';
import { runJobAction } from './job.js';
import { runClusternetAction, runResourceAction } from './resources.js';
import type { ActionContext, ActionHandler, ActionHandlers } from './types.js';

export { ActionFailure, ActionSkipped, sleep, type ActionContext, type ActionHandler, type ActionHandlers } from './types.js';
export { runHttpAction, sendRequest, isSuccessStatus, tlsOptions, RESPONSE_BODY_LIMIT } from './http.js';
export { runJobAction, jobState, jobRefFor, type JobState } from './job.js';
export { runClusternetAction, runResourceAction, clusternetState, type ClusternetState } from './resources.js';
export { operate, deleteRef, deleteCreated, kubeRefOf, refOf, markOf, CLUSTERNET_API_VERSION, type CreatedDeletion } from './kube-objects.js';

export const DEFAULT_HANDLERS: Required<ActionHandlers> = {
  HTTP: runHttpAction,
  Job: runJobAction,
  Localization: runClusternetAction,
  Globalization: runClusternetAction,
  HelmChart: runClusternetAction,
  Subscription: runClusternetAction,
  KubernetesResource: runResourceAction,
};

/**
 * Internal, for tests and benchmarks only: a handler that does nothing and succeeds, so the executor's own
 * overhead (scheduling and persistence) can be measured. Pass it as `handlers: { HTTP: NOOP_HANDLER }`.
 */
export const NOOP_HANDLER: ActionHandler = async (_action: Action, _ctx: ActionContext): Promise<ActionOutputs> => ({});
