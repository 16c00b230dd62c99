import { ValidationError } from '../errors.js';
import { PROVIDERS } from './types.js';
import type { ClusterSpec, Provider } from './types.js';

export const RESERVED_NAMES: Readonly<Record<string, string>> = {
  devops: 'it is the management cluster that hosts fleetdeck\'s own services',
  main: 'it is the Git repository\'s main branch',
  master: 'it is the Git repository\'s master branch',
  develop: 'it is the Git repository\'s development branch',
  release: 'it is the Git repository\'s release branch',
};

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function validateClusterName(name: string): string {
  if (!name) throw new ValidationError('a cluster name is required', 'Give a name such as dev or uat-k3d.', 'name');
  if (name.length > 63) {
    throw new ValidationError(`cluster name "${name}" is ${name.length} characters long; the limit is 63`,
      'Use a DNS-1123 label of at most 63 characters.', 'name');
  }
  if (!DNS1123_LABEL.test(name)) {
    throw new ValidationError(`cluster name "${name}" is not a DNS-1123 label`,
      'Use lower-case letters, digits and "-", starting and ending with a letter or digit.', 'name');
  }
  const reserved = RESERVED_NAMES[name];
  if (reserved) {
    throw new ValidationError(`cluster name "${name}" is reserved: ${reserved}`, 'Choose another name.', 'name');
  }
  return name;
}

export function validateProvider(value: string): Provider {
  if (!value) throw new ValidationError('a provider is required', 'Use --provider k3d or --provider kind.', 'provider');
  if ((PROVIDERS as readonly string[]).includes(value)) return value as Provider;
  throw new ValidationError(`provider "${value}" is not supported`, 'Use --provider k3d or --provider kind.', 'provider');
}

export function validatePort(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new ValidationError(`${field} ${String(value)} is not a port number`, 'Use an integer from 1 to 65535.', field);
  }
  return value;
}

/** Parses a decimal port number given as text; empty means "allocate". */
export function parsePort(text: string | undefined, field: string): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) {
    throw new ValidationError(`${field} "${trimmed}" is not a port number`, 'Use an integer from 1 to 65535.', field);
  }
  return validatePort(Number(trimmed), field);
}

/** An IPv4 CIDR with no host bits set, normalised (e.g. "10.1.0.0/16"). */
export function validateSubnet(value: string): string {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value.trim());
  const hint = 'Give an IPv4 network in CIDR form, such as 10.101.0.0/16.';
  if (!match) throw new ValidationError(`subnet "${value}" is not an IPv4 CIDR`, hint, 'subnet');
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32 || prefix < 8) {
    throw new ValidationError(`subnet "${value}" is out of range`, `${hint} The prefix must be 8 to 32.`, 'subnet');
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 2 ** (32 - prefix);
  if (address % hostBits !== 0) {
    throw new ValidationError(`subnet "${value}" has host bits set`,
      `Use the network address, e.g. ${networkOf(address, prefix)}.`, 'subnet');
  }
  return `${octets.join('.')}/${prefix}`;
}

function networkOf(address: number, prefix: number): string {
  const hostBits = 2 ** (32 - prefix);
  let network = Math.floor(address / hostBits) * hostBits;
  const octets: number[] = [];
  for (let i = 0; i < 4; i += 1) {
    octets.unshift(network % 256);
    network = Math.floor(network / 256);
  }
  return `${octets.join('.')}/${prefix}`;
}

/** Checks a whole spec before anything is written; returns it normalised. */
export function validateClusterSpec(spec: ClusterSpec): ClusterSpec {
  const normalised: ClusterSpec = {
    ...spec,
    name: validateClusterName(spec.name),
    provider: validateProvider(spec.provider),
  };
  if (spec.subnet !== undefined && spec.subnet !== null && spec.subnet !== '') {
    normalised.subnet = validateSubnet(spec.subnet);
  } else {
    normalised.subnet = null;
  }
  const hostPorts: [string, number | undefined][] = [
    ['pf port', spec.pfPort], ['http port', spec.httpPort], ['https port', spec.httpsPort],
  ];
  for (const [field, port] of hostPorts) if (port !== undefined) validatePort(port, field);
  if (spec.nodePort !== undefined) validatePort(spec.nodePort, 'node port');
  const given = hostPorts.filter(([, port]) => port !== undefined);
  for (let i = 0; i < given.length; i += 1) {
    for (let j = i + 1; j < given.length; j += 1) {
      if (given[i]![1] === given[j]![1]) {
        throw new ValidationError(`${given[i]![0]} and ${given[j]![0]} are both ${String(given[i]![1])}`,
          'Each host port of a cluster must be different.', 'ports');
      }
    }
  }
  return normalised;
}
