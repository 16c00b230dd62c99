import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../core/errors.js';
import { validateClusterName, validateClusterSpec, validateSubnet } from '../../../core/inventory/validation.js';

describe('cluster names', () => {
  it.each(['dev', 'uat-k3d', 'a', 'a1-b2', 'x'.repeat(63)])('accepts %s', (name) => {
    expect(validateClusterName(name)).toBe(name);
  });

  it.each([
    ['', /required/], ['Dev', /DNS-1123/], ['-dev', /DNS-1123/], ['dev-', /DNS-1123/], ['dev_k3d', /DNS-1123/],
    ['dev.k3d', /DNS-1123/], ['x'.repeat(64), /64 characters long; the limit is 63/],
  ])('refuses %j', (name, message) => {
    expect(() => validateClusterName(name)).toThrow(message);
  });

  it.each(['devops', 'main', 'master', 'develop', 'release'])('refuses the reserved name %s with a reason', (name) => {
    const error = (() => {
      try {
        validateClusterName(name);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(new RegExp(`"${name}" is reserved: .+`));
  });
});

describe('subnets and ports', () => {
  it('normalises a CIDR and refuses host bits, bad octets and garbage', () => {
    expect(validateSubnet(' 10.101.0.0/16 ')).toBe('10.101.0.0/16');
    expect(() => validateSubnet('10.101.0.1/16')).toThrow(/host bits set/);
    expect(() => validateSubnet('10.101.0.1/16')).toThrow(ValidationError);
    expect(() => validateSubnet('300.1.0.0/16')).toThrow(/out of range/);
    expect(() => validateSubnet('banana')).toThrow(/not an IPv4 CIDR/);
  });

  it('refuses a spec whose host ports repeat or are out of range', () => {
    expect(() => validateClusterSpec({ name: 'dev', provider: 'kind', pfPort: 8080, httpPort: 8080 })).toThrow(/both 8080/);
    expect(() => validateClusterSpec({ name: 'dev', provider: 'kind', httpsPort: 70000 })).toThrow(/not a port number/);
    expect(() => validateClusterSpec({ name: 'dev', provider: 'docker' as 'kind' })).toThrow(/provider "docker"/);
  });
});
