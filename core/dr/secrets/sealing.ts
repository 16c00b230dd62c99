/**
 * Secret values at rest. Stored plans (dr_resources.body), execution snapshots and `--param` values of secret
 * parameters are kept sealed with FLEETDECK_SECRET_KEY (AES-256-GCM, core/dataplane/secret-box.ts), as dataplane
 * credentials are: a sealed string is `fleetdeck-sealed:v1:…` in place of the value. They are opened only to run an
 * execution (and, when the key is at hand, for the dry run, whose display redacts them again).
 *
 * Sealed: secret header values holding literal secret text (a value that is only a scheme word and templates, such
 * as `Bearer {{ .params.token }}`, holds none and stays readable, so its parameter is known to be secret), http.keyData,
 * and the value/default of every secret parameter (render/redact.ts secretParamNames).
 */
import type { SecretBox } from '../../dataplane/secret-box.js';
import { ValidationError } from '../../errors.js';
import { hasTemplateSyntax } from '../../templates/template.js';
import { isSecretHeader, secretParamNames } from '../render/redact.js';
import type { Action, DRPlan, DRWorkflow, Parameter } from '../schema/types.js';
import type { PlanSnapshot } from '../store/types.js';

export const SEAL_PREFIX = 'fleetdeck-sealed:';

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SEAL_PREFIX);
}

/** What needs sealing, and the box to do it (null when FLEETDECK_SECRET_KEY is not set). */
export interface Sealer {
  box: SecretBox | null;
  /** Names the document in the error when there is no key. */
  what: string;
  /** Set when something needed sealing. */
  sealed: number;
}

function seal(sealer: Sealer, value: string | undefined, field: string): string | undefined {
  if (value === undefined || value === '' || isSealed(value)) return value;
  if (!sealer.box) {
    throw new ValidationError(
      `${sealer.what} holds a secret (${field}) and FLEETDECK_SECRET_KEY is not set, so it cannot be stored encrypted`,
      'Generate a key with `openssl rand -hex 32`, export FLEETDECK_SECRET_KEY, and run it again; nothing was stored.',
      field,
    );
  }
  sealer.sealed += 1;
  return SEAL_PREFIX + sealer.box.seal(value);
}

/** A secret header value holds literal secret text unless it is only a scheme word around templates. */
function holdsLiteralSecret(value: string): boolean {
  if (!hasTemplateSyntax(value)) return value.trim() !== '';
  const literal = value.replace(/\{\{[\s\S]*?\}\}/g, '').replace(/\$\([^)]*\)/g, '').trim();
  return literal !== '' && !/^(Bearer|Basic|Token)$/i.test(literal);
}

function sealAction(sealer: Sealer, action: Action, at: string): Action {
  const out: Action = { ...action };
  if (action.http) {
    const http = { ...action.http };
    if (http.headers) {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(http.headers)) {
        headers[k] = isSecretHeader(action, k) && holdsLiteralSecret(v) ? (seal(sealer, v, `${at}.http.headers.${k}`) ?? v) : v;
      }
      http.headers = headers;
    }
    if (http.keyData) http.keyData = seal(sealer, http.keyData, `${at}.http.keyData`);
    out.http = http;
  }
  if (action.rollback) out.rollback = sealAction(sealer, action.rollback, `${at}.rollback`);
  return out;
}

function sealParams(sealer: Sealer, params: readonly Parameter[] | undefined, secret: ReadonlySet<string>, at: string): Parameter[] | undefined {
  return params?.map((p, i) => {
    if (!secret.has(p.name)) return p;
    const out: Parameter = { ...p };
    if (p.value !== undefined) out.value = seal(sealer, String(p.value), `${at}[${i}].value`);
    if (p.default !== undefined) out.default = seal(sealer, String(p.default), `${at}[${i}].default`);
    return out;
  });
}

export function sealWorkflow(sealer: Sealer, workflow: DRWorkflow, secret: ReadonlySet<string>): DRWorkflow {
  const parameters = sealParams(sealer, workflow.spec.parameters, secret, 'spec.parameters');
  return {
    ...workflow,
    spec: { ...workflow.spec, ...(parameters ? { parameters } : {}), actions: workflow.spec.actions.map((a, i) => sealAction(sealer, a, `spec.actions[${i}]`)) },
  };
}

export function sealPlan(sealer: Sealer, plan: DRPlan, secret: ReadonlySet<string>): DRPlan {
  const globalParams = sealParams(sealer, plan.spec.globalParams, secret, 'spec.globalParams');
  return {
    ...plan,
    spec: {
      ...plan.spec,
      ...(globalParams ? { globalParams } : {}),
      stages: plan.spec.stages.map((stage, i) => ({
        ...stage,
        workflows: stage.workflows.map((ref, j) => {
          const params = sealParams(sealer, ref.params, secret, `spec.stages[${i}].workflows[${j}].params`);
          return { ...ref, ...(params ? { params } : {}) };
        }),
      })),
    },
  };
}

/** Seals a plan with its workflows (open, as loaded or applied); the secret parameters come from the workflows. */
export function sealSnapshot(box: SecretBox | null, snapshot: PlanSnapshot, what: string): PlanSnapshot {
  const secret = secretParamNames(snapshot.workflows);
  const sealer: Sealer = { box, what, sealed: 0 };
  return { plan: sealPlan(sealer, snapshot.plan, secret), workflows: snapshot.workflows.map((w) => sealWorkflow(sealer, w, secret)) };
}

/** `--param` values of secret parameters, sealed for dr_executions.params. */
export function sealOverrides(box: SecretBox | null, overrides: Readonly<Record<string, string>>, secret: ReadonlySet<string>, what: string): Record<string, string> {
  const sealer: Sealer = { box, what, sealed: 0 };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(overrides)) out[k] = secret.has(k) ? (seal(sealer, v, `--param ${k}`) ?? v) : v;
  return out;
}

/**
 * Opens every sealed string in a value. `strict`: without the key (or with the wrong one) that is an error naming
 * what needs it; otherwise sealed strings stay as they are (displays then show them as ******).
 */
export function openSealed<T>(box: SecretBox | null, value: T, what: string, strict: boolean): T {
  const open = (v: unknown): unknown => {
    if (isSealed(v)) {
      if (!box) {
        if (!strict) return v;
        throw new ValidationError(`${what} holds encrypted secrets and FLEETDECK_SECRET_KEY is not set`,
          'Export FLEETDECK_SECRET_KEY (the key the plan was stored with) and run it again.');
      }
      try {
        return box.open(v.slice(SEAL_PREFIX.length));
      } catch (error) {
        if (!strict) return v;
        throw error;
      }
    }
    if (Array.isArray(v)) return v.map(open);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, open(x)]));
    return v;
  };
  return open(value) as T;
}
