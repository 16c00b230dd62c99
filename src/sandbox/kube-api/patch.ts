/** Merge patch (RFC 7386), JSON patch (RFC 6902), and the subset of strategic merge patch kubectl sends. */
import { badRequest, StatusError } from './status.js';
import { clone, isObject, type JsonObject } from './json.js';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/**
 * Strategic merge patch: lists named by a `$setElementOrder/<field>` directive are merged by their merge key,
 * `$patch: delete` removes list items, other directives are dropped, everything else merges like a merge patch.
 */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  if (patch['$patch'] === 'replace') {
    const replaced = { ...patch };
    delete replaced['$patch'];
    return stripDirectives(replaced);
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const current = out[field];
      if (Array.isArray(current) && Array.isArray(value)) out[field] = current.filter((v) => !value.includes(v));
      continue;
    }
    if (key.startsWith('$')) continue;
    if (value === null) {
      delete out[key];
      continue;
    }
    const order = patch[`$setElementOrder/${key}`];
    const mergeKey = Array.isArray(order) ? mergeKeyOf(order) : Array.isArray(value) ? mergeKeyOf(value) : undefined;
    if (Array.isArray(value) && mergeKey !== undefined && Array.isArray(out[key])) {
      out[key] = mergeList(out[key] as unknown[], value, mergeKey, Array.isArray(order) ? order : undefined);
    } else if (Array.isArray(value)) {
      out[key] = value.filter((v) => !(isObject(v) && v['$patch'] === 'delete')).map(stripDirectives);
    } else {
      out[key] = strategicMergePatch(out[key], value);
    }
  }
  for (const key of Object.keys(patch)) {
    const field = key.startsWith('$setElementOrder/') ? key.slice('$setElementOrder/'.length) : undefined;
    if (field !== undefined && !(field in patch) && Array.isArray(out[field])) {
      const order = patch[key] as unknown[];
      const mk = mergeKeyOf(order);
      if (mk !== undefined) out[field] = mergeList(out[field] as unknown[], [], mk, order);
    }
  }
  return out;
}

/** Items of a `$setElementOrder` list carry only their merge key; patch items carry it among others. */
function mergeKeyOf(items: unknown[]): string | undefined {
  const first = items.find(isObject);
  if (first === undefined || !items.every(isObject)) return undefined;
  const keys = Object.keys(first).filter((k) => !k.startsWith('$'));
  if (keys.length === 1) return keys[0];
  for (const candidate of ['name', 'containerPort', 'mountPath', 'port', 'type', 'ip', 'devicePath']) {
    if (items.every((i) => isObject(i) && candidate in i)) return candidate;
  }
  return undefined;
}

function mergeList(current: unknown[], patch: unknown[], mergeKey: string, order: unknown[] | undefined): unknown[] {
  const keyOf = (item: unknown): string => (isObject(item) ? JSON.stringify(item[mergeKey]) : JSON.stringify(item));
  const result = new Map<string, unknown>(current.map((item) => [keyOf(item), item]));
  for (const item of patch) {
    const k = keyOf(item);
    if (isObject(item) && item['$patch'] === 'delete') result.delete(k);
    else result.set(k, strategicMergePatch(result.get(k), item));
  }
  if (order === undefined) return [...result.values()];
  const ordered: unknown[] = [];
  for (const o of order) {
    const k = keyOf(o);
    if (result.has(k)) {
      ordered.push(result.get(k));
      result.delete(k);
    }
  }
  return [...ordered, ...result.values()];
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) out[k] = stripDirectives(v);
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`invalid JSON pointer "${path}"`);
  return path.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, parts: string[], path: string): { parent: unknown; last: string } {
  let current = doc;
  for (const part of parts.slice(0, -1)) {
    if (Array.isArray(current)) current = current[Number(part)];
    else if (isObject(current)) current = current[part];
    else current = undefined;
    if (current === undefined) throw new StatusError(422, 'Invalid', `the server rejected our request due to an error in our request: path "${path}" does not exist`);
  }
  return { parent: current, last: parts[parts.length - 1] ?? '' };
}

function getAt(doc: unknown, path: string): unknown {
  const parts = pointer(path);
  if (parts.length === 0) return doc;
  const { parent, last } = parentOf(doc, parts, path);
  return Array.isArray(parent) ? parent[Number(last)] : isObject(parent) ? parent[last] : undefined;
}

function removeAt(doc: unknown, path: string): unknown {
  const { parent, last } = parentOf(doc, pointer(path), path);
  if (Array.isArray(parent)) return parent.splice(Number(last), 1)[0];
  if (isObject(parent) && last in parent) {
    const old = parent[last];
    delete parent[last];
    return old;
  }
  throw new StatusError(422, 'Invalid', `the server rejected our request due to an error in our request: path "${path}" does not exist`);
}

function addAt(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  const parts = pointer(path);
  if (parts.length === 0) return clone(value);
  const { parent, last } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (replace) parent[index] = clone(value);
    else parent.splice(index, 0, clone(value));
  } else if (isObject(parent)) {
    if (replace && !(last in parent)) throw new StatusError(422, 'Invalid', `the server rejected our request due to an error in our request: replace operation does not apply: doc is missing key: ${path}`);
    parent[last] = clone(value);
  } else {
    throw new StatusError(422, 'Invalid', `the server rejected our request due to an error in our request: path "${path}" does not exist`);
  }
  return doc;
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('json patch must be an array of operations');
  let doc = clone(target);
  for (const raw of ops as JsonPatchOp[]) {
    switch (raw.op) {
      case 'add':
        doc = addAt(doc, raw.path, raw.value, false);
        break;
      case 'replace':
        doc = addAt(doc, raw.path, raw.value, true);
        break;
      case 'remove':
        removeAt(doc, raw.path);
        break;
      case 'move': {
        const value = removeAt(doc, raw.from ?? '');
        doc = addAt(doc, raw.path, value, false);
        break;
      }
      case 'copy':
        doc = addAt(doc, raw.path, getAt(doc, raw.from ?? ''), false);
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, raw.path)) !== JSON.stringify(raw.value)) {
          throw new StatusError(422, 'Invalid', `the server rejected our request due to an error in our request: testing value ${raw.path} failed`);
        }
        break;
      default:
        throw badRequest(`unknown json patch operation "${raw.op}"`);
    }
  }
  return doc;
}
