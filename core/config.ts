import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from './errors.js';
import type { AllocationRanges } from './inventory/allocation.js';
import { DEFAULT_RANGES } from './inventory/allocation.js';
import { validateSubnet } from './inventory/validation.js';

/** Where the real fleet's outside systems are; the sandbox world ignores these. */
export interface FleetSettings {
  gitUrl: string | null;
  /** Environments answer on NAME.<domain>. */
  domain: string;
  /** The Docker network k3d clusters share (Kindler's k3d-shared). */
  network: string;
  /** The kube context of the management cluster, where ArgoCD runs. */
  managementContext: string;
  argocdNamespace: string;
  portainerUrl: string | null;
  /** The Portainer API key is read from this environment variable, never from the file. */
  portainerApiKeyEnv: string;
  haproxyConfig: string | null;
  haproxyReload: string[] | null;
}

/** The dataplane installer's settings for this process (see core/dataplane). */
export interface DataplaneSettings {
  /** How this process's install scheduler runs the tasks it claims: in this process, or as a Kubernetes Job. */
  runner: 'process' | 'job';
  /** Install tasks this process runs at once. */
  concurrency: number;
  /** The installer Job's image (Job runner); null: fleetdeck's default. */
  installerImage: string | null;
}

export interface FleetConfig {
  /** Where the embedded database and the sandbox live. */
  dataDir: string;
  /** A PostgreSQL server; null means the embedded database in dataDir. */
  databaseUrl: string | null;
  readonly: boolean;
  sandbox: boolean;
  ranges: AllocationRanges;
  /** The embedded database: a client's transaction idle this long is rolled back by the owner (default 10 s). */
  idleTransactionTimeoutMs: number;
  fleet: FleetSettings;
  dataplane: DataplaneSettings;
  /** The config file that was read, if any. */
  configFile: string | null;
}

export interface ConfigOverrides {
  dataDir?: string;
  databaseUrl?: string;
  readonly?: boolean;
  sandbox?: boolean;
  configFile?: string;
}

interface ConfigFile {
  databaseUrl?: string;
  git?: { url?: string };
  domain?: string;
  network?: string;
  argocd?: { context?: string; namespace?: string };
  portainer?: { url?: string; apiKeyEnv?: string };
  haproxy?: { config?: string; reload?: string[] };
  ports?: { min?: number; max?: number };
  subnets?: { pool?: string; prefix?: number };
  embedded?: { idleTransactionTimeoutSeconds?: number };
  dataplane?: { runner?: string; concurrency?: number; installerImage?: string };
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'fleetdeck');
}

export function defaultConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'fleetdeck', 'config.json');
}

function readConfigFile(path: string): ConfigFile {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ConfigFile;
  } catch (error) {
    throw new ValidationError(`the config file ${path} could not be read: ${(error as Error).message}`,
      'Fix the JSON in that file, or point FLEETDECK_CONFIG at another one.');
  }
}

function rangesFrom(file: ConfigFile): AllocationRanges {
  const ranges: AllocationRanges = {
    portMin: file.ports?.min ?? DEFAULT_RANGES.portMin,
    portMax: file.ports?.max ?? DEFAULT_RANGES.portMax,
    subnetPool: file.subnets?.pool ? validateSubnet(file.subnets.pool) : DEFAULT_RANGES.subnetPool,
    subnetPrefix: file.subnets?.prefix ?? DEFAULT_RANGES.subnetPrefix,
  };
  if (!(ranges.portMin >= 1 && ranges.portMax <= 65535 && ranges.portMin + 2 <= ranges.portMax)) {
    throw new ValidationError(`port range ${ranges.portMin}-${ranges.portMax} is not usable`,
      'Set ports.min and ports.max within 1-65535, at least three ports apart.');
  }
  const poolPrefix = Number(ranges.subnetPool.split('/')[1]);
  if (!(ranges.subnetPrefix >= poolPrefix && ranges.subnetPrefix <= 30)) {
    throw new ValidationError(`subnet prefix /${ranges.subnetPrefix} does not fit pool ${ranges.subnetPool}`,
      'Set subnets.prefix between the pool\'s prefix and 30.');
  }
  return ranges;
}

function idleTimeoutFrom(file: ConfigFile): number {
  const seconds = file.embedded?.idleTransactionTimeoutSeconds ?? 10;
  if (!(typeof seconds === 'number' && seconds > 0 && seconds <= 3600)) {
    throw new ValidationError(`embedded.idleTransactionTimeoutSeconds ${String(seconds)} is not usable`,
      'Set it to a number of seconds between 0 and 3600 (default 10).');
  }
  return Math.round(seconds * 1000);
}

export function validateRunner(value: string, where: string): 'process' | 'job' {
  if (value === 'process' || value === 'job') return value;
  throw new ValidationError(`${where} "${value}" is not an install runner`, 'Use process (helm from this machine) or job (a Kubernetes Job in the target cluster).');
}

export function validateConcurrency(value: unknown, where: string): number {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 256) return n;
  throw new ValidationError(`${where} ${String(value)} is not a usable install concurrency`, 'Use a whole number from 1 to 256 (default 4).');
}

function dataplaneFrom(file: ConfigFile, env: NodeJS.ProcessEnv): DataplaneSettings {
  const runner = env.FLEETDECK_INSTALL_RUNNER ?? file.dataplane?.runner;
  const concurrency = env.FLEETDECK_INSTALL_CONCURRENCY ?? file.dataplane?.concurrency;
  return {
    runner: runner === undefined ? 'process' : validateRunner(runner, env.FLEETDECK_INSTALL_RUNNER ? 'FLEETDECK_INSTALL_RUNNER' : 'dataplane.runner'),
    concurrency: concurrency === undefined ? 4 : validateConcurrency(concurrency, env.FLEETDECK_INSTALL_CONCURRENCY ? 'FLEETDECK_INSTALL_CONCURRENCY' : 'dataplane.concurrency'),
    installerImage: file.dataplane?.installerImage ?? null,
  };
}

/** Flags win over the environment, which wins over the config file, which wins over defaults. */
export function resolveConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): FleetConfig {
  const configPath = overrides.configFile ?? env.FLEETDECK_CONFIG ?? defaultConfigFile(env);
  const explicit = overrides.configFile !== undefined || env.FLEETDECK_CONFIG !== undefined;
  const present = existsSync(configPath);
  if (explicit && !present) {
    throw new ValidationError(`the config file ${configPath} does not exist`, 'Check the path given with --config or FLEETDECK_CONFIG.');
  }
  const file = present ? readConfigFile(configPath) : {};
  const sandbox = overrides.sandbox ?? false;
  const baseDir = overrides.dataDir ?? env.FLEETDECK_DATA_DIR ?? defaultDataDir(env);
  return {
    dataDir: baseDir,
    // The sandbox world never touches a real fleet's database.
    databaseUrl: sandbox ? null : overrides.databaseUrl ?? env.FLEETDECK_DATABASE_URL ?? file.databaseUrl ?? null,
    readonly: overrides.readonly ?? false,
    sandbox,
    ranges: rangesFrom(file),
    idleTransactionTimeoutMs: idleTimeoutFrom(file),
    fleet: {
      gitUrl: env.FLEETDECK_GIT_URL ?? file.git?.url ?? null,
      domain: file.domain ?? 'local',
      network: file.network ?? 'k3d-shared',
      managementContext: file.argocd?.context ?? 'k3d-devops',
      argocdNamespace: file.argocd?.namespace ?? 'argocd',
      portainerUrl: file.portainer?.url ?? null,
      portainerApiKeyEnv: file.portainer?.apiKeyEnv ?? 'FLEETDECK_PORTAINER_API_KEY',
      haproxyConfig: file.haproxy?.config ?? null,
      haproxyReload: file.haproxy?.reload ?? null,
    },
    dataplane: dataplaneFrom(file, env),
    configFile: present ? configPath : null,
  };
}

/** The embedded database's directory: the sandbox world keeps its own. */
export function embeddedDir(config: FleetConfig): string {
  return config.sandbox ? join(config.dataDir, 'sandbox', 'db') : join(config.dataDir, 'db');
}
