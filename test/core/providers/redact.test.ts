import { describe, expect, it } from 'vitest';
import { redactSecrets, stripUrlCredentials } from '../../../core/providers/index.js';

describe('redactSecrets', () => {
  it('scrubs tokens, URL credentials, kubeconfig key data and known secrets from tool output', () => {
    const text = [
      'error: https://bob:hunter2-canary@git.example/fleet.git: denied',
      'Authorization: Bearer abc.def-canary',
      '    token: k8s-token-canary',
      '    client-key-data: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t',
      'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl',
      'api_key=ptr_abcdefghijkl and my-known-canary',
    ].join('\n');
    const out = redactSecrets(text, ['my-known-canary']);
    for (const canary of ['hunter2-canary', 'abc.def-canary', 'k8s-token-canary', 'LS0tLS1CRUdJTi', 'eyJzdWIiOiJhZG1pbiJ9', 'ptr_abcdefghijkl', 'my-known-canary']) {
      expect(out).not.toContain(canary);
    }
    expect(out).toContain('git.example/fleet.git: denied');
  });

  it('strips credentials from a remote URL for display', () => {
    expect(stripUrlCredentials('https://deployer:tok@git.example/fleet.git')).toBe('https://git.example/fleet.git');
    expect(stripUrlCredentials('/srv/git/fleet.git')).toBe('/srv/git/fleet.git');
  });
});
