/** Validation of one action (and its rollback), with BCS's webhook rules and messages naming the field path. */
import { TemplateError } from '../../templates/errors.js';
import { compileTree, joinPath } from '../../templates/tree.js';
import { parseWhen } from '../dag/when.js';
import { DURATION_PATTERN } from './duration.js';
import { isObj, Issues, type Obj } from './issues.js';
import { ACTION_TYPES, HTTP_METHODS, type ActionType } from './types.js';

/** The field holding each type's configuration (KubernetesResource's is `resource`, as in BCS). */
export const CONFIG_FIELD: Record<ActionType, string> = {
  HTTP: 'http',
  Job: 'job',
  Localization: 'localization',
  Globalization: 'globalization',
  HelmChart: 'helmChart',
  Subscription: 'subscription',
  KubernetesResource: 'resource',
};

const OPERATIONS = ['Create', 'Apply', 'Patch', 'Delete'] as const;
const SUBSCRIPTION_OPERATIONS = [...OPERATIONS, 'Replace'] as const;
const DURATION_HINT = 'use a Go duration such as 30s, 5m or 1h30m';

/** BCS only asks for a non-empty name; fleetdeck also keeps it usable in `.outputs.NAME` and in derived object names. */
export const ACTION_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Every field an action may have (BCS's Action, plus fleetdeck's clusterRef). */
export const ACTION_FIELDS: readonly string[] = [
  'name', 'type', 'http', 'job', 'localization', 'globalization', 'helmChart', 'subscription', 'resource', 'timeout', 'waitReady',
  'retryPolicy', 'rollback', 'dependsOn', 'when', 'hookType', 'clusterExecutionMode', 'hookCleanup', 'clusterRef',
];
const HTTP_FIELDS = ['url', 'method', 'headers', 'body', 'successCodes', 'insecureSkipVerify', 'secretHeaders', 'connectTimeout', 'readTimeout',
  'caData', 'caFile', 'certData', 'certFile', 'keyData', 'keyFile'];
const CLUSTERNET_FIELDS: Record<string, readonly string[]> = {
  Localization: ['operation', 'name', 'namespace', 'spec'],
  Globalization: ['operation', 'name', 'spec'],
  HelmChart: ['operation', 'name', 'namespace', 'spec'],
  Subscription: ['operation', 'name', 'namespace', 'spec'],
};

export function validateAction(issues: Issues, value: unknown, path: string, opts: { isRollback?: boolean } = {}): void {
  if (!isObj(value)) {
    issues.add(path, 'must be an object');
    return;
  }
  issues.allowOnly(value, ACTION_FIELDS, path);
  issues.string(value, 'hookType', path);
  const cleanup = issues.object(value, 'hookCleanup', path);
  if (cleanup) {
    const at = joinPath(path, 'hookCleanup');
    issues.allowOnly(cleanup, ['beforeCreate', 'onSuccess', 'onFailure'], at);
    for (const k of ['beforeCreate', 'onSuccess', 'onFailure']) issues.boolean(cleanup, k, at);
  }
  issues.string(value, 'name', path, { required: !opts.isRollback, pattern: ACTION_NAME, patternHint: 'use letters, digits, "-", "_" and ".", starting and ending with a letter or digit' });
  const type = issues.string(value, 'type', path, { required: true, oneOf: ACTION_TYPES }) as ActionType | undefined;
  issues.string(value, 'timeout', path, { pattern: DURATION_PATTERN, patternHint: DURATION_HINT });
  issues.boolean(value, 'waitReady', path);
  issues.string(value, 'clusterExecutionMode', path, { oneOf: ['', 'Global', 'PerCluster'] });
  issues.string(value, 'clusterRef', path);
  validateRetryPolicy(issues, value, path);
  if (opts.isRollback) {
    for (const key of ['dependsOn', 'when', 'rollback']) if (value[key] !== undefined) issues.add(joinPath(path, key), 'not allowed in a rollback action');
  } else {
    issues.stringList(value, 'dependsOn', path);
    const when = issues.string(value, 'when', path);
    if (when !== undefined) {
      try {
        parseWhen(when, joinPath(path, 'when'));
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        issues.add(joinPath(path, 'when'), error.detail);
      }
    }
  }
  for (const [other, field] of Object.entries(CONFIG_FIELD)) {
    if (other !== type && value[field] !== undefined && type !== undefined) issues.add(joinPath(path, field), `not allowed for type ${type}`);
  }
  if (type !== undefined) validateConfig(issues, value, type, path);
  if (!opts.isRollback && type !== undefined) checkRollbackRequired(issues, value, type, path);
  if (value.rollback !== undefined && !opts.isRollback) validateAction(issues, value.rollback, joinPath(path, 'rollback'), { isRollback: true });
  checkTemplates(issues, value, path);
}

function validateRetryPolicy(issues: Issues, action: Obj, path: string): void {
  const retry = issues.object(action, 'retryPolicy', path);
  if (!retry) return;
  const at = joinPath(path, 'retryPolicy');
  issues.allowOnly(retry, ['limit', 'interval', 'backoffMultiplier'], at);
  issues.integer(retry, 'limit', at, { min: 0, max: 100 });
  issues.string(retry, 'interval', at, { pattern: DURATION_PATTERN, patternHint: DURATION_HINT });
  const multiplier = retry.backoffMultiplier;
  if (multiplier !== undefined && !(typeof multiplier === 'string' && /^\d+(\.\d+)?$/.test(multiplier) && Number(multiplier) >= 1)) {
    issues.add(joinPath(at, 'backoffMultiplier'), 'must be a decimal string of at least 1, such as "2.0"');
  }
}

function validateConfig(issues: Issues, action: Obj, type: ActionType, path: string): void {
  const field = CONFIG_FIELD[type];
  const config = issues.object(action, field, path, true);
  if (!config) return;
  const at = joinPath(path, field);
  switch (type) {
    case 'HTTP': {
      issues.allowOnly(config, HTTP_FIELDS, at);
      issues.string(config, 'url', at, { required: true });
      issues.string(config, 'method', at, { oneOf: HTTP_METHODS });
      issues.string(config, 'body', at);
      issues.boolean(config, 'insecureSkipVerify', at);
      const headers = issues.object(config, 'headers', at);
      for (const [k, v] of Object.entries(headers ?? {})) if (typeof v !== 'string') issues.add(joinPath(joinPath(at, 'headers'), k), 'must be a string');
      const codes = issues.array(config, 'successCodes', at);
      codes?.forEach((code, i) => {
        if (typeof code !== 'number' || !Number.isInteger(code) || code < 100 || code > 599) issues.add(joinPath(joinPath(at, 'successCodes'), i), 'must be an HTTP status code (100-599)');
      });
      const secret = issues.stringList(config, 'secretHeaders', at);
      for (const name of secret ?? []) {
        if (!Object.keys(headers ?? {}).some((h) => h.toLowerCase() === name.toLowerCase())) issues.add(joinPath(at, 'secretHeaders'), `names header "${name}", which headers does not set`);
      }
      for (const key of ['connectTimeout', 'readTimeout']) issues.string(config, key, at, { pattern: DURATION_PATTERN, patternHint: DURATION_HINT });
      for (const key of ['caData', 'caFile', 'certData', 'certFile', 'keyData', 'keyFile']) issues.string(config, key, at);
      for (const [data, file] of [['caData', 'caFile'], ['certData', 'certFile'], ['keyData', 'keyFile']] as const) {
        if (config[data] !== undefined && config[file] !== undefined) issues.add(joinPath(at, file), `${data} and ${file} are mutually exclusive`);
      }
      const hasCert = config.certData !== undefined || config.certFile !== undefined;
      const hasKey = config.keyData !== undefined || config.keyFile !== undefined;
      if (hasCert !== hasKey) issues.add(joinPath(at, hasCert ? 'keyData' : 'certData'), 'a client certificate needs both a certificate (certData or certFile) and its key (keyData or keyFile)');
      return;
    }
    case 'Job': {
      issues.allowOnly(config, ['namespace', 'template', 'ttlSecondsAfterFinished'], at);
      issues.string(config, 'namespace', at);
      const template = issues.object(config, 'template', at, true);
      if (template) {
        issues.allowOnly(template, ['spec'], joinPath(at, 'template'));
        issues.object(template, 'spec', joinPath(at, 'template'), true);
      }
      issues.integer(config, 'ttlSecondsAfterFinished', at, { min: 0 });
      return;
    }
    case 'KubernetesResource': {
      issues.allowOnly(config, ['operation', 'manifest'], at);
      issues.string(config, 'operation', at, { oneOf: OPERATIONS });
      issues.string(config, 'manifest', at, { required: true });
      return;
    }
    default: {
      issues.allowOnly(config, CLUSTERNET_FIELDS[type] ?? [], at);
      const operation = issues.string(config, 'operation', at, { oneOf: type === 'Subscription' ? SUBSCRIPTION_OPERATIONS : OPERATIONS }) ?? 'Create';
      issues.string(config, 'name', at, { required: true });
      if (type !== 'Globalization') issues.string(config, 'namespace', at, { required: type === 'Localization' || type === 'HelmChart' });
      const spec = issues.object(config, 'spec', at, operation !== 'Delete' && type !== 'Subscription');
      if (type === 'Subscription' && operation === 'Create') {
        if (!spec) issues.add(joinPath(at, 'spec'), 'required when operation is Create');
        else {
          issues.array(spec, 'feeds', joinPath(at, 'spec'), { required: true, minItems: 1 });
          issues.array(spec, 'subscribers', joinPath(at, 'spec'), { required: true, minItems: 1 });
        }
      }
    }
  }
}

/** BCS refuses a Patch (and a KubernetesResource Apply) without a rollback: there is no automatic inverse. */
function checkRollbackRequired(issues: Issues, action: Obj, type: ActionType, path: string): void {
  if (action.rollback !== undefined || type === 'HTTP' || type === 'Job') return;
  const config = action[CONFIG_FIELD[type]];
  const operation = isObj(config) && typeof config.operation === 'string' ? config.operation : 'Create';
  if (operation === 'Patch' || (type === 'KubernetesResource' && operation === 'Apply')) {
    issues.add(joinPath(path, 'rollback'), `required for a ${type} ${operation}: it has no automatic inverse`);
  }
}

/** Every string of the action must parse as a template; `when` is checked by its own grammar above. */
function checkTemplates(issues: Issues, action: Obj, path: string): void {
  const rest = { ...action };
  delete rest.when;
  delete rest.rollback;
  try {
    compileTree(rest, path);
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    issues.add(error.templateName, `template syntax error at ${error.position.line}:${error.position.column}: ${error.detail}`);
  }
}
