/** Turns a failed git command against a remote into a FleetError naming the remote (without credentials). */
import { FleetError } from '../errors.js';
import { redactSecrets, stripUrlCredentials } from '../providers/redact.js';

const RULES: readonly { test: RegExp; make: (remote: string, action: string) => FleetError }[] = [
  {
    test: /returned error: 503|\b503 Service Unavailable/i,
    make: (remote, action) =>
      new FleetError('UNAVAILABLE', `Git remote ${remote} answered HTTP 503 (service unavailable) while ${action}`, 'The Git service is down or overloaded: check its status and retry later. Nothing was changed in Git; `fleetdeck drift` shows branches to repair afterwards.', { remote }),
  },
  {
    test: /returned error: 40[13]|Authentication failed|could not read (Username|Password)|terminal prompts disabled|Permission denied \(publickey|HTTP Basic: Access denied|access denied|invalid credentials/i,
    make: (remote, action) =>
      new FleetError('UNAUTHORIZED', `Git remote ${remote} refused the credentials while ${action}`, 'Check the token or password for this remote (in its URL, a credential helper or the SSH key) and that it may push branches.', { remote }),
  },
  {
    test: /returned error: 404|Repository not found|does not appear to be a git repository|repository .* not found|No such file or directory/i,
    make: (remote, action) =>
      new FleetError('NOT_FOUND', `Git remote ${remote} has no repository at that address (while ${action})`, 'Check the Git remote URL in the fleetdeck configuration.', { remote }),
  },
  {
    test: /returned error: 5\d\d/i,
    make: (remote, action) =>
      new FleetError('UNAVAILABLE', `Git remote ${remote} answered with a server error while ${action}`, 'The Git service is failing: check its status and logs, then retry.', { remote }),
  },
  {
    test: /Could not resolve host|Connection refused|Failed to connect|Couldn't connect|Connection timed out|Network is unreachable|Operation timed out|unable to access|Could not read from remote repository|Empty reply from server|block timeout/i,
    make: (remote, action) =>
      new FleetError('UNAVAILABLE', `Git remote ${remote} is unreachable (while ${action})`, 'Check the remote URL, DNS, proxy and network, and that the Git server is up.', { remote }),
  },
];

export function gitRemoteError(error: unknown, remoteUrl: string, action: string): FleetError {
  const remote = stripUrlCredentials(remoteUrl);
  const text = error instanceof Error ? error.message : String(error);
  for (const rule of RULES) if (rule.test.test(text)) return rule.make(remote, action);
  const detail = redactSecrets(text.replace(remoteUrl, remote)).trim().split('\n').slice(-6).join('\n');
  return new FleetError('EXTERNAL', `git failed while ${action} on ${remote}: ${detail}`, 'Read git\'s message; check the remote and retry.', { remote });
}

/** Push refused because the branch moved meanwhile: fetch again and retry. */
export function isPushRace(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  return /\[rejected\]|non-fast-forward|fetch first|stale info|\[remote rejected\].*(lock|cannot lock)|cannot lock ref|already exists/i.test(text);
}
