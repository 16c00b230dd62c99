/**
 * The Kubernetes protobuf encoding, for the bodies kubectl's create generators send (`kubectl create configmap`,
 * `create secret`, `create namespace`, `create serviceaccount` use application/vnd.kubernetes.protobuf). The wire
 * format: the magic bytes `k8s\0`, then a runtime.Unknown message {typeMeta {apiVersion, kind}, raw}, where raw is
 * the object in the field numbers of k8s.io/api's generated.proto. Only the kinds below are decoded; any other kind
 * is refused with 415 and a hint, as before.
 */
import type { KubeObject } from './json.js';
import { StatusError } from './status.js';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

interface Field {
  number: number;
  /** The varint of wire type 0, as a number (the values here are small: booleans, counts). */
  varint?: number;
  /** The bytes of wire type 2 (strings, bytes, nested messages, map entries). */
  bytes?: Buffer;
}

function readVarint(buf: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (let i = at; i < buf.length; i += 1) {
    const byte = buf[i]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, i + 1];
    shift += 7;
    if (shift > 63) break;
  }
  throw malformed('a varint runs past the end of the message');
}

function fieldsOf(buf: Buffer): Field[] {
  const fields: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const [key, next] = readVarint(buf, at);
    at = next;
    const number = Math.floor(key / 8);
    switch (key & 7) {
      case 0: {
        const [varint, after] = readVarint(buf, at);
        fields.push({ number, varint });
        at = after;
        break;
      }
      case 1:
        at += 8;
        break;
      case 2: {
        const [length, after] = readVarint(buf, at);
        if (after + length > buf.length) throw malformed('a field runs past the end of the message');
        fields.push({ number, bytes: buf.subarray(after, after + length) });
        at = after + length;
        break;
      }
      case 5:
        at += 4;
        break;
      default:
        throw malformed(`unsupported wire type ${key & 7}`);
    }
  }
  return fields;
}

function malformed(detail: string): StatusError {
  return new StatusError(400, 'BadRequest', `the body of the request could not be decoded as protobuf: ${detail}`);
}

const text = (f: Field): string => f.bytes?.toString('utf8') ?? '';
const all = (fields: Field[], number: number): Field[] => fields.filter((f) => f.number === number);
const one = (fields: Field[], number: number): Field | undefined => all(fields, number).at(-1);

/** A proto map<string, string|bytes> (repeated entries {1: key, 2: value}); bytes values become base64, as in JSON. */
function mapOf(fields: Field[], number: number, values: 'string' | 'bytes'): Record<string, string> | undefined {
  const entries = all(fields, number);
  if (entries.length === 0) return undefined;
  const map: Record<string, string> = {};
  for (const entry of entries) {
    const parts = fieldsOf(entry.bytes ?? Buffer.alloc(0));
    const value = one(parts, 2)?.bytes ?? Buffer.alloc(0);
    map[text(one(parts, 1) ?? { number: 1 })] = values === 'bytes' ? value.toString('base64') : value.toString('utf8');
  }
  return map;
}

/** ObjectMeta: what a client may set (the server fills in the rest). */
function objectMeta(buf: Buffer | undefined): KubeObject['metadata'] {
  const fields = fieldsOf(buf ?? Buffer.alloc(0));
  const meta: KubeObject['metadata'] = {};
  const strings: [number, string][] = [[1, 'name'], [2, 'generateName'], [3, 'namespace']];
  for (const [number, key] of strings) {
    const value = one(fields, number);
    if (value && text(value) !== '') meta[key] = text(value);
  }
  const labels = mapOf(fields, 11, 'string');
  if (labels) meta.labels = labels;
  const annotations = mapOf(fields, 12, 'string');
  if (annotations) meta.annotations = annotations;
  const finalizers = all(fields, 14).map(text);
  if (finalizers.length > 0) meta['finalizers'] = finalizers;
  const owners = all(fields, 13).map((f) => {
    const o = fieldsOf(f.bytes ?? Buffer.alloc(0));
    const flag = (n: number): boolean | undefined => (one(o, n)?.varint === undefined ? undefined : one(o, n)!.varint === 1);
    return {
      apiVersion: text(one(o, 5) ?? { number: 5 }), kind: text(one(o, 1) ?? { number: 1 }), name: text(one(o, 3) ?? { number: 3 }), uid: text(one(o, 4) ?? { number: 4 }),
      ...(flag(6) === undefined ? {} : { controller: flag(6) }), ...(flag(7) === undefined ? {} : { blockOwnerDeletion: flag(7) }),
    };
  });
  if (owners.length > 0) meta['ownerReferences'] = owners;
  return meta;
}

function flagOf(fields: Field[], number: number): boolean | undefined {
  const field = one(fields, number);
  return field?.varint === undefined ? undefined : field.varint === 1;
}

type Decoder = (fields: Field[]) => Record<string, unknown>;

const DECODERS: Record<string, Decoder> = {
  'v1/ConfigMap': (f) => ({
    ...(mapOf(f, 2, 'string') ? { data: mapOf(f, 2, 'string') } : {}),
    ...(mapOf(f, 3, 'bytes') ? { binaryData: mapOf(f, 3, 'bytes') } : {}),
    ...(flagOf(f, 4) === undefined ? {} : { immutable: flagOf(f, 4) }),
  }),
  'v1/Secret': (f) => ({
    ...(mapOf(f, 2, 'bytes') ? { data: mapOf(f, 2, 'bytes') } : {}),
    ...(one(f, 3) && text(one(f, 3)!) !== '' ? { type: text(one(f, 3)!) } : {}),
    ...(mapOf(f, 4, 'string') ? { stringData: mapOf(f, 4, 'string') } : {}),
    ...(flagOf(f, 5) === undefined ? {} : { immutable: flagOf(f, 5) }),
  }),
  'v1/Namespace': (f) => {
    const finalizers = all(fieldsOf(one(f, 2)?.bytes ?? Buffer.alloc(0)), 1).map(text);
    return finalizers.length > 0 ? { spec: { finalizers } } : {};
  },
  'v1/ServiceAccount': (f) => (flagOf(f, 4) === undefined ? {} : { automountServiceAccountToken: flagOf(f, 4) }),
};

export function isKubeProtobuf(body: Buffer): boolean {
  return body.length >= MAGIC.length && body.subarray(0, MAGIC.length).equals(MAGIC);
}

/** Decodes a protobuf request body into the JSON object it stands for, or refuses it with 415. */
export function decodeKubeProtobuf(body: Buffer, contentType: string): KubeObject {
  if (!isKubeProtobuf(body)) throw malformed('the body does not start with the k8s magic bytes');
  const unknown = fieldsOf(body.subarray(MAGIC.length));
  const typeMeta = fieldsOf(one(unknown, 1)?.bytes ?? Buffer.alloc(0));
  const apiVersion = text(one(typeMeta, 1) ?? { number: 1 });
  const kind = text(one(typeMeta, 2) ?? { number: 2 });
  const decode = DECODERS[`${apiVersion}/${kind}`];
  if (!decode) {
    throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format (${contentType}) - the sandbox decodes protobuf only for `
      + `${Object.keys(DECODERS).map((k) => k.split('/')[1]).join(', ')}; send ${kind || 'the object'} as application/json or application/yaml (e.g. with \`kubectl apply -f\`)`);
  }
  const raw = fieldsOf(one(unknown, 2)?.bytes ?? Buffer.alloc(0));
  return { apiVersion, kind, metadata: objectMeta(one(raw, 1)?.bytes), ...decode(raw) };
}
