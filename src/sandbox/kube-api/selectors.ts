/** Label and field selectors in the apiserver's syntax. */
import { badRequest } from './status.js';
import { pathValue } from './json.js';

type Requirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

export type Matcher = (obj: unknown) => boolean;

/** Splits on commas that are not inside a `(...)` value set. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

function parseTerm(term: string, allowSets: boolean): Requirement {
  const set = /^([^\s!=]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (set !== null && allowSets) {
    const values = (set[3] ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
    return { op: set[2] === 'in' ? 'in' : 'notin', key: set[1] ?? '', values };
  }
  const cmp = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s]*)$/.exec(term);
  if (cmp !== null) return { op: cmp[2] === '!=' ? 'neq' : 'eq', key: cmp[1] ?? '', value: cmp[3] ?? '' };
  if (allowSets && /^![^\s!=()]+$/.test(term)) return { op: 'notexists', key: term.slice(1) };
  if (allowSets && /^[^\s!=()]+$/.test(term)) return { op: 'exists', key: term };
  throw badRequest(`unable to parse requirement: invalid selector term "${term}"`);
}

function matches(req: Requirement, value: string | undefined): boolean {
  switch (req.op) {
    case 'eq':
      return value === req.value;
    case 'neq':
      return value !== req.value;
    case 'in':
      return value !== undefined && req.values.includes(value);
    case 'notin':
      return value === undefined || !req.values.includes(value);
    case 'exists':
      return value !== undefined;
    case 'notexists':
      return value === undefined;
  }
}

export function labelMatcher(selector: string | null): Matcher {
  if (selector === null || selector.trim() === '') return () => true;
  const reqs = splitTerms(selector).map((t) => parseTerm(t, true));
  return (obj) => {
    const labels = pathValue(obj, 'metadata.labels');
    const get = (key: string): string | undefined => {
      if (typeof labels !== 'object' || labels === null) return undefined;
      const v = (labels as Record<string, unknown>)[key];
      return typeof v === 'string' ? v : undefined;
    };
    return reqs.every((r) => matches(r, get(r.key)));
  };
}

/**
 * Fields each kind can be selected by, beyond metadata.name and metadata.namespace, as kube-apiserver registers
 * them. Kinds listed here answer an unknown field the way their conversion function does; the others the way the
 * default (and a custom resource) does.
 */
const SELECTABLE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  '/Pod': ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork',
    'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName'],
  '/Node': ['spec.unschedulable'],
  '/Namespace': ['status.phase'],
  '/Secret': ['type'],
  '/Service': ['spec.clusterIP', 'spec.type'],
  '/Event': ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion',
    'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  'batch/Job': ['status.successful'],
};

const ALWAYS_SELECTABLE = ['metadata.name', 'metadata.namespace'];

function checkSelectable(key: string, kind: { group: string; kind: string } | undefined): void {
  if (kind === undefined || ALWAYS_SELECTABLE.includes(key)) return;
  const extra = SELECTABLE_FIELDS[`${kind.group}/${kind.kind}`];
  if (extra === undefined) throw badRequest(`"${key}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
  if (!extra.includes(key)) throw badRequest(`field label not supported: ${key}`);
}

/** Field selectors compare a dotted path as a string; a missing field compares as "". Unsupported fields are a 400. */
export function fieldMatcher(selector: string | null, kind?: { group: string; kind: string }): Matcher {
  if (selector === null || selector.trim() === '') return () => true;
  const reqs = splitTerms(selector).map((t) => parseTerm(t, false));
  for (const req of reqs) checkSelectable(req.key, kind);
  return (obj) =>
    reqs.every((r) => {
      const raw = pathValue(obj, r.key);
      const value = raw === undefined || raw === null ? '' : String(raw);
      return matches(r, value);
    });
}
