/**
 * Just enough OpenAPI for kubectl: a v3 root listing one document per group-version, each naming its kinds
 * (x-kubernetes-group-version-kind) and offering the `fieldValidation` query parameter on PATCH, which makes
 * kubectl leave validation to the server.
 */
import { createHash } from 'node:crypto';
import { BUILTIN_RESOURCES, groupVersionOf, type ResourceRegistry, type ResourceType } from './resources.js';

const FIELD_VALIDATION = { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } };

function schemaName(type: ResourceType): string {
  const group = type.group === '' ? 'core' : type.group;
  return type.group === '' || !type.group.includes('.') || type.group.endsWith('.k8s.io')
    ? `io.k8s.api.${group.split('.')[0]}.${type.version}.${type.kind}`
    : `${type.group.split('.').reverse().join('.')}.${type.version}.${type.kind}`;
}

function operations(type: ResourceType): Record<string, unknown> {
  const gvk = { group: type.group, version: type.version, kind: type.kind };
  const op = (action: string): Record<string, unknown> => ({
    operationId: `${action}${type.kind}`,
    parameters: [FIELD_VALIDATION],
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName(type)}` } } } } },
  });
  return { get: op('get'), put: op('put'), patch: op('patch'), delete: op('delete') };
}

function buildDocument(gv: string, types: readonly ResourceType[]): string {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const prefix = gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`;
  for (const type of types) {
    const base = type.namespaced ? `${prefix}/namespaces/{namespace}/${type.plural}` : `${prefix}/${type.plural}`;
    paths[`${base}/{name}`] = operations(type);
    paths[base] = { post: { ...(operations(type)['get'] as object), 'x-kubernetes-action': 'post', operationId: `create${type.kind}` } };
    schemas[schemaName(type)] = {
      type: 'object',
      description: `${type.kind} (served by the fleetdeck sandbox)`,
      'x-kubernetes-preserve-unknown-fields': true,
      'x-kubernetes-group-version-kind': [{ group: type.group, version: type.version, kind: type.kind }],
    };
  }
  return JSON.stringify({ openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas } });
}

const builtinDocs = new Map<string, string>();
for (const gv of new Set(BUILTIN_RESOURCES.map(groupVersionOf))) {
  builtinDocs.set(gv, buildDocument(gv, BUILTIN_RESOURCES.filter((t) => groupVersionOf(t) === gv)));
}

function gvPath(gv: string): string {
  return gv.includes('/') ? `apis/${gv}` : `api/${gv}`;
}

export function openApiV3Root(registry: ResourceRegistry): string {
  const paths: Record<string, unknown> = {};
  for (const gv of new Set(registry.all().map(groupVersionOf))) {
    const hash = createHash('sha256').update(openApiV3Document(registry, gv) ?? '').digest('hex').slice(0, 16);
    paths[gvPath(gv)] = { serverRelativeURL: `/openapi/v3/${gvPath(gv)}?hash=${hash}` };
  }
  return JSON.stringify({ paths });
}

/** The document for `api/v1` or `apis/<group>/<version>`, or undefined when that group-version is not served. */
export function openApiV3Document(registry: ResourceRegistry, gv: string): string | undefined {
  const custom = registry.customTypes().filter((t) => groupVersionOf(t) === gv);
  if (custom.length === 0) return builtinDocs.get(gv);
  return buildDocument(gv, registry.all().filter((t) => groupVersionOf(t) === gv));
}

export function gvFromOpenApiPath(path: string): string | undefined {
  if (path.startsWith('api/')) return path.slice(4);
  if (path.startsWith('apis/')) return path.slice(5);
  return undefined;
}

/** A Swagger 2.0 document naming the kinds, for clients that still read /openapi/v2 as JSON. */
export function openApiV2Document(registry: ResourceRegistry): string {
  const definitions: Record<string, unknown> = {};
  for (const type of registry.all()) {
    definitions[schemaName(type)] = { type: 'object', 'x-kubernetes-group-version-kind': [{ group: type.group, version: type.version, kind: type.kind }] };
  }
  return JSON.stringify({ swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths: {}, definitions });
}

function protoField(field: number, value: Buffer): Buffer {
  const length: number[] = [];
  let n = value.length;
  do {
    length.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...length]), value]);
}

/**
 * /openapi/v2 as kubectl asks for it (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`): a gnostic
 * Document with `swagger` and `info` only. kubectl reads it when a kind's group-version is not in /openapi/v3;
 * finding no schema there, it lets the apply go on to discovery, which answers "no matches for kind".
 */
export const OPENAPI_V2_PROTOBUF: Buffer = Buffer.concat([
  protoField(1, Buffer.from('2.0')),
  protoField(2, Buffer.concat([protoField(1, Buffer.from('Kubernetes')), protoField(2, Buffer.from('v1.32.0'))])),
]);
