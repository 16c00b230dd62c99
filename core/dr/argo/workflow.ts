/**
 * `fleetdeck dr export-argo`: an Argo Workflow (argoproj.io/v1alpha1) for a plan, following seed 004 §11.3:
 * every action a template (templates.ts), stages and each workflow's order or dependsOn as DAG tasks, `when`
 * translated, and the plan's parameters as spec.arguments.parameters that the templates read as
 * `{{workflow.parameters.NAME}}`. As the seed says, rollback is a separate Revert Workflow (`--operation Revert`):
 * explicit rollback actions and the automatic deletes, last action first, either for the plan as a whole or for
 * one Execute from its recorded outputs.
 */
import type { KubeObject } from '../../kube/types.js';
import { buildGraph } from '../dag/graph.js';
import { automaticInverse } from '../dag/rollback.js';
import { runKey } from '../render/plan.js';
import { secretParamNames } from '../render/redact.js';
import { namespaceOf, resolveWorkflowRef } from '../schema/load.js';
import type { Action, DRWorkflow, KubeObjectReference, Parameter } from '../schema/types.js';
import type { PlanSnapshot } from '../store/types.js';
import { actionTemplate, deleteTemplate, dns, type ArgoTemplate } from './templates.js';
import { translateTree, type TranslateScope } from './translate.js';
import { translateWhen } from './when.js';

export interface ArgoExportOptions {
  /** `--param k=v`: the arguments' values. */
  overrides?: Readonly<Record<string, string>>;
  namespace?: string;
  serviceAccountName?: string;
}

/** One workflow reference of one stage, with what the export needs to name and parameterise its tasks. */
interface Run {
  stage: string;
  stageIndex: number;
  index: number;
  key: string;
  workflow: DRWorkflow;
  stageParams: readonly Parameter[] | undefined;
  /** DR parameter → Argo parameter name, for this run. */
  names: Map<string, string>;
  /** Action name → task name. */
  tasks: Map<string, string>;
}

interface ArgoParameter {
  name: string;
  value?: string;
  default?: string;
  description?: string;
}

function runsOf(snapshot: PlanSnapshot): Run[] {
  const { plan } = snapshot;
  const byKey = new Map(snapshot.workflows.map((w) => [`${namespaceOf(w)}/${w.metadata.name}`, w]));
  const used = new Set<string>();
  const unique = (name: string): string => {
    let candidate = dns(name);
    for (let n = 2; used.has(candidate); n += 1) candidate = dns(`${name}-${n}`);
    used.add(candidate);
    return candidate;
  };
  return plan.spec.stages.flatMap((stage, stageIndex) => {
    const refs = stage.workflows.map((w) => resolveWorkflowRef(plan, w.workflowRef));
    return stage.workflows.map((ref, index) => {
      const key = runKey(refs, index);
      const workflow = byKey.get(`${refs[index]!.namespace}/${refs[index]!.name}`)!;
      const prefix = `${stage.name}-${key.replace(/^[^/]*\//, '').replace('#', '-')}`;
      const tasks = new Map(workflow.spec.actions.map((a) => [a.name, unique(`${prefix}-${a.name}`)]));
      return { stage: stage.name, stageIndex, index, key, workflow, stageParams: ref.params, names: new Map<string, string>(), tasks };
    });
  });
}

/** A parameter's value as written in a layer: an explicit value wins over a default. */
function written(p: Parameter): string | undefined {
  if (p.value !== undefined) return String(p.value);
  return p.default !== undefined ? String(p.default) : undefined;
}

/**
 * The Argo parameters: one per DR parameter when every run resolves it the same way, else one per run that
 * differs (`NAME-STAGE-N`). Values follow BCS's priority (workflow default < globalParams < stage params < --param);
 * secret parameters get no value (pass them at submit time).
 */
function parametersOf(snapshot: PlanSnapshot, runs: Run[], overrides: Readonly<Record<string, string>>): ArgoParameter[] {
  const secret = secretParamNames(snapshot.workflows);
  const global = snapshot.plan.spec.globalParams ?? [];
  const perRun = runs.map((run) => {
    const layers = [run.workflow.spec.parameters ?? [], global, run.stageParams ?? []];
    const values = new Map<string, { value?: string; def?: string; description?: string }>();
    for (const layer of layers) {
      for (const p of layer) {
        const prev = values.get(p.name) ?? {};
        const value = written(p) ?? prev.value;
        values.set(p.name, { ...(value !== undefined ? { value } : {}), ...(p.default !== undefined ? { def: String(p.default) } : prev.def !== undefined ? { def: prev.def } : {}), ...(p.description ?? prev.description ? { description: p.description ?? prev.description } : {}) });
      }
    }
    for (const [k, v] of Object.entries(overrides)) values.set(k, { ...(values.get(k) ?? {}), value: v });
    return values;
  });
  const names = new Set(perRun.flatMap((v) => [...v.keys()]));
  const out: ArgoParameter[] = [];
  for (const name of [...names].sort()) {
    const distinct = new Set(perRun.filter((v) => v.has(name)).map((v) => v.get(name)?.value ?? '\u0000'));
    const entry = (argoName: string, info: { value?: string; def?: string; description?: string } | undefined): ArgoParameter => {
      if (secret.has(name)) return { name: argoName, description: `secret: pass it at submit time (argo submit -p ${argoName}=…)` };
      return { name: argoName, ...(info?.value !== undefined ? { value: info.value } : {}), ...(info?.def !== undefined ? { default: info.def } : {}), ...(info?.description ? { description: info.description } : {}) };
    };
    if (distinct.size <= 1) {
      runs.forEach((run) => run.names.set(name, name));
      out.push(entry(name, perRun.find((v) => v.has(name))?.get(name)));
    } else {
      runs.forEach((run, i) => {
        if (!perRun[i]!.has(name)) return;
        const argoName = dns(`${name}-${run.stage}-${run.index + 1}`, 128);
        run.names.set(name, argoName);
        out.push(entry(argoName, perRun[i]!.get(name)));
      });
    }
  }
  return out;
}

function scopeOf(run: Run, planName: string): TranslateScope {
  return { planName, parameter: (name) => run.names.get(name) ?? name, task: (action) => run.tasks.get(action) };
}

/** The action without what becomes DAG structure, translated to Argo's template syntax. */
function translatedAction(action: Action, scope: TranslateScope, path: string): Action {
  const { when: _when, rollback: _rollback, dependsOn: _dependsOn, ...body } = action;
  return translateTree(body as Action, scope, path);
}

function envelope(snapshot: PlanSnapshot, suffix: string, options: ArgoExportOptions, parameters: ArgoParameter[], templates: ArgoTemplate[], tasks: Record<string, unknown>[], annotations: Record<string, string> = {}): KubeObject {
  const planName = snapshot.plan.metadata.name;
  return {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow',
    metadata: {
      generateName: `${dns(`${planName}${suffix}`, 56)}-`, ...(options.namespace ? { namespace: options.namespace } : {}),
      labels: { 'fleetdeck.io/dr-plan': dns(planName), 'fleetdeck.io/dr-operation': suffix === '' ? 'execute' : 'revert' },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: {
      entrypoint: 'main',
      ...(options.serviceAccountName ? { serviceAccountName: options.serviceAccountName } : {}),
      ...(parameters.length ? { arguments: { parameters } } : {}),
      templates: [{ name: 'main', dag: { tasks } }, ...templates],
    },
  };
}

/** The Execute Workflow. */
export function toArgoWorkflow(snapshot: PlanSnapshot, options: ArgoExportOptions = {}): KubeObject {
  const planName = snapshot.plan.metadata.name;
  const runs = runsOf(snapshot);
  const parameters = parametersOf(snapshot, runs, options.overrides ?? {});
  const templates: ArgoTemplate[] = [];
  const tasks: Record<string, unknown>[] = [];
  const stageGraph = buildGraph(snapshot.plan.spec.stages);
  const lastTasksOfStage = new Map<string, string[]>();
  for (const stageName of stageGraph.levels.flat()) {
    const stage = snapshot.plan.spec.stages.find((s) => s.name === stageName)!;
    const stageDeps = (stageGraph.dependencies.get(stageName) ?? []).flatMap((d) => lastTasksOfStage.get(d) ?? []);
    const finals: string[] = [];
    let previousRunTasks: string[] = [];
    for (const run of runs.filter((r) => r.stage === stageName)) {
      const scope = scopeOf(run, planName);
      const graph = buildGraph(run.workflow.spec.actions);
      const entry = stage.parallel ? stageDeps : previousRunTasks.length ? previousRunTasks : stageDeps;
      run.workflow.spec.actions.forEach((action, i) => {
        const path = `${run.key}: spec.actions[${i}]`;
        const name = run.tasks.get(action.name)!;
        templates.push(actionTemplate(name, translatedAction(action, scope, path), planName, path));
        const own = graph.dependencies.get(action.name) ?? [];
        const deps = own.length > 0 ? own.map((d) => run.tasks.get(d)!) : entry;
        const when = action.when ? translateWhen(action.when, scope, `${path}.when`) : '';
        tasks.push({ name, template: name, ...(deps.length ? { dependencies: deps } : {}), ...(when ? { when } : {}) });
      });
      const dependedOn = new Set([...graph.dependencies.values()].flat());
      previousRunTasks = run.workflow.spec.actions.filter((a) => !dependedOn.has(a.name)).map((a) => run.tasks.get(a.name)!);
      finals.push(...previousRunTasks);
    }
    lastTasksOfStage.set(stageName, finals);
  }
  return envelope(snapshot, '', options, parameters, templates, tasks);
}

/** One undo step of a Revert Workflow: the task's template, or why the action is not undone. */
export type RevertExportStep = { task: string; template: ArgoTemplate } | { task: string; skipped: string };

/**
 * The Revert Workflow of the plan as a whole: every action undone, last first (reverse stage level, reverse
 * workflow order, reverse dependency order), each task after the previous one. Jobs ran as Argo containers and
 * left nothing behind; HTTP has no inverse; both are listed as skipped in an annotation.
 */
export function toArgoRevertWorkflow(snapshot: PlanSnapshot, options: ArgoExportOptions = {}): KubeObject {
  const planName = snapshot.plan.metadata.name;
  const runs = runsOf(snapshot);
  const parameters = parametersOf(snapshot, runs, options.overrides ?? {});
  const stageGraph = buildGraph(snapshot.plan.spec.stages);
  const steps: RevertExportStep[] = [];
  for (const stageName of [...stageGraph.levels.flat()].reverse()) {
    for (const run of runs.filter((r) => r.stage === stageName).reverse()) {
      const scope = scopeOf(run, planName);
      const graph = buildGraph(run.workflow.spec.actions);
      const byName = new Map(run.workflow.spec.actions.map((a, i) => [a.name, { action: a, index: i }]));
      for (const name of [...graph.levels.flat()].reverse()) {
        const { action, index } = byName.get(name)!;
        const path = `${run.key}: spec.actions[${index}]`;
        const task = `undo-${run.tasks.get(name)!}`.slice(0, 63).replace(/-+$/, '');
        if (action.rollback) {
          steps.push({ task, template: actionTemplate(task, translatedAction({ ...action.rollback, name: action.name }, scope, `${path}.rollback`), planName, `${path}.rollback`) });
          continue;
        }
        const inverse = automaticInverse(action);
        if (inverse.kind === 'skip') steps.push({ task, skipped: `${name}: ${inverse.reason}` });
        else if (action.type === 'Job') steps.push({ task, skipped: `${name}: the Job ran as an Argo container and left no Job to delete` });
        else if (action.type === 'KubernetesResource') {
          const manifest = translateTree(action.resource?.manifest ?? '', scope, `${path}.resource.manifest`);
          steps.push({ task, template: { name: task, resource: { action: 'delete', flags: ['--ignore-not-found'], manifest } } });
        } else steps.push({ task, template: deleteTemplate(task, translateTree(createdRef(action), scope, path)) });
      }
    }
  }
  return revertEnvelope(snapshot, options, parameters, steps);
}

/** The Revert Workflow of one Execute, from the steps fleetdeck's own Revert would take (real outputs, rendered). */
export function toArgoRevertOfExecution(snapshot: PlanSnapshot, steps: RevertExportStepInput[], options: ArgoExportOptions = {}): KubeObject {
  const planName = snapshot.plan.metadata.name;
  const used = new Set<string>();
  const out: RevertExportStep[] = steps.map((s) => {
    let task = dns(`undo-${s.stage}-${s.action}`);
    for (let n = 2; used.has(task); n += 1) task = dns(`undo-${s.stage}-${s.action}-${n}`);
    used.add(task);
    if (s.kind === 'custom') return { task, template: actionTemplate(task, { ...s.rollback, name: s.action }, planName, `${s.action}.rollback`) };
    if (s.kind === 'delete') return { task, template: s.refs.length === 1 ? deleteTemplate(task, s.refs[0]!) : { name: task, steps: s.refs.map((ref, i) => [{ name: `delete-${i + 1}`, template: `${task}-${i + 1}` }]) } };
    return { task, skipped: `${s.action}: ${s.reason}` };
  });
  // A multi-object delete (a Subscription's child subscriptions) needs one template per object.
  const extra: ArgoTemplate[] = [];
  steps.forEach((s, i) => {
    const step = out[i]!;
    if (s.kind === 'delete' && s.refs.length > 1 && 'template' in step) s.refs.forEach((ref, j) => extra.push(deleteTemplate(`${step.task}-${j + 1}`, ref)));
  });
  return revertEnvelope(snapshot, options, [], out, extra);
}

export type RevertExportStepInput =
  | { kind: 'custom'; stage: string; action: string; rollback: Action }
  | { kind: 'delete'; stage: string; action: string; refs: KubeObjectReference[] }
  | { kind: 'skip'; stage: string; action: string; reason: string };

function revertEnvelope(snapshot: PlanSnapshot, options: ArgoExportOptions, parameters: ArgoParameter[], steps: RevertExportStep[], extra: ArgoTemplate[] = []): KubeObject {
  const templates: ArgoTemplate[] = [];
  const tasks: Record<string, unknown>[] = [];
  let previous: string | null = null;
  for (const step of steps) {
    if (!('template' in step)) continue;
    templates.push(step.template);
    tasks.push({ name: step.task, template: step.task, ...(previous ? { dependencies: [previous] } : {}) });
    previous = step.task;
  }
  const skipped = steps.filter((s): s is { task: string; skipped: string } => 'skipped' in s).map((s) => s.skipped);
  return envelope(snapshot, '-revert', options, parameters, [...templates, ...extra], tasks, skipped.length ? { 'fleetdeck.io/skipped': skipped.join('; ') } : {});
}

/** What a Clusternet action creates, named from its configuration (templates kept, translated by the caller). */
function createdRef(action: Action): KubeObjectReference {
  const config = action.localization ?? action.globalization ?? action.helmChart ?? action.subscription;
  return { kind: action.type, name: config?.name ?? '', ...(action.type !== 'Globalization' ? { namespace: config?.namespace ?? 'default' } : {}) };
}
