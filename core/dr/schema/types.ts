/**
 * DR resources of `dr.bkbcs.tencent.com/v1alpha1`, field for field as BCS's bcs-drplan-controller defines them
 * (api/v1alpha1/*_types.go), so plans written for BCS load unchanged.
 *
 * Glossary: a *workflow* (DRWorkflow) is a reusable list of *actions* with parameter definitions; a *plan* (DRPlan)
 * orders workflows in *stages* and gives them parameters; an *execution* (DRPlanExecution) is one Execute or Revert
 * run of a plan, recording every action's phase and outputs.
 *
 * Fields marked "fleetdeck extension" are not in BCS; BCS's API server would prune them.
 */

export const DR_API_VERSION = 'dr.bkbcs.tencent.com/v1alpha1';
export const DR_KINDS = ['DRPlan', 'DRWorkflow', 'DRPlanExecution'] as const;
export type DRKind = (typeof DR_KINDS)[number];

export const ACTION_TYPES = ['HTTP', 'Job', 'Localization', 'Globalization', 'HelmChart', 'Subscription', 'KubernetesResource'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export const PARAMETER_TYPES = ['string', 'number', 'boolean'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Create (default), Apply (server-side apply), Patch, Delete; Subscription also Replace (delete, then create). */
export type ResourceOperation = 'Create' | 'Apply' | 'Patch' | 'Delete' | 'Replace';

/** Workflow: FailFast (default) stops at the first failure; Continue runs the remaining actions. */
export type WorkflowFailurePolicy = 'FailFast' | 'Continue';
/** Plan: Stop (default) or Continue; a stage may also say FailFast. */
export type PlanFailurePolicy = 'Stop' | 'Continue';
export type StageFailurePolicy = 'Stop' | 'Continue' | 'FailFast';

export type Phase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Skipped' | 'Canceled' | 'Unknown';
/** fleetdeck records RolledBack on an action its Revert undid. */
export type ActionPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Skipped' | 'Canceled' | 'RolledBack';
export type OperationType = 'Execute' | 'Revert';
export type ExecutionMode = 'Install' | 'Upgrade' | 'Delete' | 'Rollback';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
}

/** BCS's own reference: a name and an optional namespace. */
export interface ObjectReference {
  name: string;
  namespace?: string;
}

/** corev1.ObjectReference, as outputs record created objects. */
export interface KubeObjectReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  uid?: string;
}

export interface ManifestRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
  labelSelector?: string;
  jsonPath: string;
  select?: 'Last' | 'First' | 'Single' | 'Any';
}

export interface Parameter {
  name: string;
  type?: ParameterType;
  required?: boolean;
  /** An explicit value (plan and stage params); wins over default. Exclusive with valueFrom. */
  value?: string;
  default?: string;
  description?: string;
  valueFrom?: { manifestRef?: ManifestRef };
}

export interface HTTPAction {
  url: string;
  method?: HttpMethod;
  headers?: Record<string, string>;
  body?: string;
  /** Default 200-299. */
  successCodes?: number[];
  insecureSkipVerify?: boolean;
  /** fleetdeck extension: header names whose values are secret and redacted everywhere. */
  secretHeaders?: string[];
  /** fleetdeck extension: Go durations for connecting (TCP and TLS handshake) and for reading the response. */
  connectTimeout?: string;
  readTimeout?: string;
  /**
   * fleetdeck extension (seed 004: "支持 TLS 证书配置"): the CA bundle that verifies the server, and a client
   * certificate and key, each as PEM text (or base64 of it) in `…Data` or as a file path in `…File`, as a
   * kubeconfig names them. keyData is secret: stored encrypted and redacted like a secret header.
   */
  caData?: string;
  caFile?: string;
  certData?: string;
  certFile?: string;
  keyData?: string;
  keyFile?: string;
}

export interface JobAction {
  namespace?: string;
  /** `spec` is a batch/v1 JobSpec. */
  template: { spec: Record<string, unknown> };
  ttlSecondsAfterFinished?: number;
}

/** Localization, Globalization and HelmChart: a Clusternet apps.clusternet.io resource; `spec` is upstream's spec. */
export interface ClusternetAction {
  operation?: ResourceOperation;
  name: string;
  namespace?: string;
  spec?: Record<string, unknown>;
}
export type LocalizationAction = ClusternetAction;
export type GlobalizationAction = ClusternetAction;
export type HelmChartAction = ClusternetAction;
export type SubscriptionAction = ClusternetAction;

export interface KubernetesResourceAction {
  operation?: ResourceOperation;
  /** A YAML manifest; templates are rendered in it before it is parsed. */
  manifest: string;
}

export interface RetryPolicy {
  /** Default 3. */
  limit?: number;
  /** Go duration, default 5s. */
  interval?: string;
  /** A decimal string, default "2.0". */
  backoffMultiplier?: string;
}

export interface HookCleanupPolicy {
  beforeCreate?: boolean;
  onSuccess?: boolean;
  onFailure?: boolean;
}

export interface Action {
  name: string;
  type: ActionType;
  http?: HTTPAction;
  job?: JobAction;
  localization?: LocalizationAction;
  globalization?: GlobalizationAction;
  helmChart?: HelmChartAction;
  subscription?: SubscriptionAction;
  /** The KubernetesResource configuration (BCS names the field `resource`). */
  resource?: KubernetesResourceAction;
  /** Go duration, default 5m. */
  timeout?: string;
  waitReady?: boolean;
  retryPolicy?: RetryPolicy;
  /** A custom inverse; without it the automatic inverse of the action's type applies. */
  rollback?: Action;
  dependsOn?: string[];
  when?: string;
  hookType?: string;
  clusterExecutionMode?: '' | 'Global' | 'PerCluster';
  hookCleanup?: HookCleanupPolicy;
  /** fleetdeck extension: the inventory cluster to act on; defaults to the plan's clusterRef, else the management cluster. */
  clusterRef?: string;
}

export interface ExecutorConfig {
  type?: 'Native' | 'Argo';
  argoOptions?: { namespace?: string; serviceAccountName?: string; ttlStrategy?: Record<string, number> };
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

export interface DRWorkflowSpec {
  executor?: ExecutorConfig;
  parameters?: Parameter[];
  actions: Action[];
  failurePolicy?: WorkflowFailurePolicy;
}

export interface DRWorkflow {
  apiVersion: typeof DR_API_VERSION;
  kind: 'DRWorkflow';
  metadata: ObjectMeta;
  spec: DRWorkflowSpec;
  status?: { phase?: 'Ready' | 'Invalid'; conditions?: Condition[]; observedGeneration?: number };
}

export interface WorkflowReference {
  workflowRef: ObjectReference;
  /** Override globalParams for this workflow. */
  params?: Parameter[];
}

export interface Stage {
  name: string;
  description?: string;
  dependsOn?: string[];
  parallel?: boolean;
  workflows: WorkflowReference[];
  failurePolicy?: StageFailurePolicy;
}

export interface DRPlanSpec {
  description?: string;
  stages: Stage[];
  globalParams?: Parameter[];
  failurePolicy?: PlanFailurePolicy;
  /** fleetdeck extension: the inventory cluster the plan's actions act on (default: the management cluster). */
  clusterRef?: string;
  /**
   * fleetdeck extension: when an Execute ends Failed, start a Revert of it at once (seed 004 §7's rollback of the
   * succeeded steps in reverse order, triggered by the failure instead of by an operator). Default false, as BCS.
   */
  rollbackOnFailure?: boolean;
}

export interface ExecutionRecord {
  name: string;
  namespace: string;
  operationType: OperationType;
  phase?: Phase;
  startTime?: string;
  completionTime?: string;
}

export interface DRPlanStatus {
  phase?: 'Ready' | 'Executed' | 'Invalid';
  conditions?: Condition[];
  lastExecutionTime?: string;
  lastExecutionRef?: string;
  currentExecution?: ObjectReference;
  executionHistory?: ExecutionRecord[];
  observedGeneration?: number;
}

export interface DRPlan {
  apiVersion: typeof DR_API_VERSION;
  kind: 'DRPlan';
  metadata: ObjectMeta;
  spec: DRPlanSpec;
  status?: DRPlanStatus;
}

export interface HTTPResponse {
  statusCode: number;
  /** Truncated. */
  body?: string;
}

export interface ActionOutputs {
  jobRef?: KubeObjectReference;
  localizationRef?: KubeObjectReference;
  globalizationRef?: KubeObjectReference;
  helmChartRef?: KubeObjectReference;
  subscriptionRef?: KubeObjectReference;
  subscriptionRefs?: KubeObjectReference[];
  resourceRef?: KubeObjectReference;
  httpResponse?: HTTPResponse;
}

export interface ActionStatus {
  name: string;
  phase: ActionPhase;
  startTime?: string;
  completionTime?: string;
  retryCount?: number;
  /** fleetdeck extension: attempts made (retryCount + 1 once the action started). */
  attempts?: number;
  message?: string;
  outputs?: ActionOutputs;
}

export interface WorkflowExecutionStatus {
  workflowRef: ObjectReference;
  /** fleetdeck extension: the run's key in its stage (`namespace/name`, `namespace/name#2` for a second use). */
  key?: string;
  phase: Phase;
  startTime?: string;
  completionTime?: string;
  duration?: string;
  progress?: string;
  currentAction?: string;
  message?: string;
  actionStatuses?: ActionStatus[];
}

export interface StageStatus {
  name: string;
  phase: Phase;
  parallel?: boolean;
  dependsOn?: string[];
  startTime?: string;
  completionTime?: string;
  duration?: string;
  message?: string;
  workflowExecutions?: WorkflowExecutionStatus[];
}

export interface ExecutionSummary {
  totalStages?: number;
  completedStages?: number;
  runningStages?: number;
  pendingStages?: number;
  failedStages?: number;
  totalWorkflows?: number;
  completedWorkflows?: number;
  runningWorkflows?: number;
  pendingWorkflows?: number;
  failedWorkflows?: number;
}

export interface DRPlanExecutionSpec {
  planRef: string;
  operationType: OperationType;
  mode?: ExecutionMode;
  /** Required for Revert: the Execute to undo. */
  revertExecutionRef?: string;
  params?: Parameter[];
}

export interface DRPlanExecutionStatus {
  phase?: Phase;
  startTime?: string;
  completionTime?: string;
  stageStatuses?: StageStatus[];
  summary?: ExecutionSummary;
  message?: string;
  conditions?: Condition[];
}

export interface DRPlanExecution {
  apiVersion: typeof DR_API_VERSION;
  kind: 'DRPlanExecution';
  metadata: ObjectMeta;
  spec: DRPlanExecutionSpec;
  status?: DRPlanExecutionStatus;
}

export type DRResource = DRPlan | DRWorkflow | DRPlanExecution;
