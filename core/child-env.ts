/**
 * The environment of the tools fleetdeck runs (k3d, kind, helm, …). They inherit fleetdeck's environment, except
 * the secrets fleetdeck itself reads from it: a tool has no use for the backup key or the S3 secret, and a tool that
 * dumps its environment into a log or a crash report must not carry them along.
 */
export const SECRET_ENV_VARIABLES: readonly string[] = [
  'FLEETDECK_BACKUP_KEY', 'FLEETDECK_SECRET_KEY', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
];

/** `base` without fleetdeck's secrets, with `extra` over it (a caller may hand a tool a secret on purpose). */
export function scrubbedEnv(extra: Readonly<Record<string, string | undefined>> = {}, base: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...base };
  for (const name of SECRET_ENV_VARIABLES) delete env[name];
  return { ...env, ...extra };
}

/** The execa options that give a child exactly scrubbedEnv(extra): spread them into the call's options. */
export function childProcessEnv(extra?: Readonly<Record<string, string | undefined>>): { env: Record<string, string | undefined>; extendEnv: false } {
  return { env: scrubbedEnv(extra ?? {}), extendEnv: false };
}
