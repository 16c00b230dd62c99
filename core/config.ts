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

export interface FleetConfig {
  /** Where the embedded database and the sandbox live. */
  dataDir: string;
  /** A PostgreSQL server; null means the embedded database in dataDir. */
  databaseUrl: string | null;
  readonly: boolean;
  sandbox: boolean;
  ranges: AllocationRanges;
  fleet: FleetSettings;
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
    configFile: present ? configPath : null,
  };
}

/** The embedded database's directory: the sandbox world keeps its own. */
export function embeddedDir(config: FleetConfig): string {
  return config.sandbox ? join(config.dataDir, 'sandbox', 'db') : join(config.dataDir, 'db');
}
