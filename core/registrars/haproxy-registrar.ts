/**
 * HAProxy routes as a registrar: rewrites the managed section of the config file, validates the whole candidate
 * with `haproxy -c -f`, swaps it in atomically, then reloads through a configurable command. Each write bumps the
 * section's generation and each finished reload records the generation it loaded (`.FILE.fleetdeck-loaded`), so a
 * write whose reload was killed or failed is reloaded by the next ensure or remove, even when the routes are already
 * as wanted: a resumed step redoes exactly what its crash left undone.
 */
import { chmod, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { execa } from 'execa';
import type { ClusterRecord } from '../inventory/types.js';
import { FleetError, ValidationError } from '../errors.js';
import { withFileLock } from '../gitops/file-lock.js';
import { managedGeneration, parseManagedRoutes, renderManagedSection, withManagedSection, type HaproxyRoute } from './haproxy-config.js';
import { isRegistrableName, type EnsureResult, type Registrar, type Registration } from './types.js';

export interface HaproxyRegistrarOptions {
  configPath: string;
  /** Routes answer `Host: NAME.<domain>`; default `local`. */
  domain?: string;
  /** Where cluster http ports are reached; default 127.0.0.1. */
  backendAddress?: string;
  /** The frontend's bind line; default `*:80`. */
  bind?: string;
  haproxyBinary?: string;
  /** Check candidates with `haproxy -c` before writing (default true); the sandbox skips it where haproxy is absent. */
  validate?: boolean;
  /** argv run after a successful write, e.g. ['systemctl', 'reload', 'haproxy']; none by default. */
  reloadCommand?: readonly string[];
}

export class HaproxyRegistrar implements Registrar {
  readonly kind = 'haproxy' as const;

  constructor(private readonly opts: HaproxyRegistrarOptions) {}

  async ensure(cluster: ClusterRecord): Promise<EnsureResult> {
    if (!isRegistrableName(cluster.name)) throw new ValidationError(`"${cluster.name}" is not a valid cluster name`, 'Use lower-case letters, digits and dashes.', 'name');
    return this.locked(async () => {
      const text = await this.read();
      const routes = parseManagedRoutes(text);
      const existing = routes.find((r) => r.name === cluster.name);
      if (!cluster.haproxyRoute) {
        if (!existing) {
          await this.reloadIfPending(text);
          return { action: 'skipped', registration: null };
        }
        await this.write(text, routes.filter((r) => r.name !== cluster.name));
        return { action: 'removed', registration: null };
      }
      const desired: HaproxyRoute = { name: cluster.name, host: `${cluster.name}.${this.opts.domain ?? 'local'}`, address: this.opts.backendAddress ?? '127.0.0.1', port: cluster.httpPort };
      if (existing && sameRoute(existing, desired)) {
        await this.reloadIfPending(text);
        return { action: 'unchanged', registration: toRegistration(existing) };
      }
      await this.write(text, [...routes.filter((r) => r.name !== cluster.name), desired]);
      return { action: existing ? 'updated' : 'created', registration: toRegistration(desired) };
    });
  }

  async remove(name: string): Promise<{ removed: boolean }> {
    return this.locked(async () => {
      const text = await this.read();
      const routes = parseManagedRoutes(text);
      if (!routes.some((r) => r.name === name)) {
        await this.reloadIfPending(text);
        return { removed: false };
      }
      await this.write(text, routes.filter((r) => r.name !== name));
      return { removed: true };
    });
  }

  async list(): Promise<Registration[]> {
    return parseManagedRoutes(await this.read()).map(toRegistration).sort((a, b) => a.name.localeCompare(b.name));
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(join(dirname(this.opts.configPath), `.${basename(this.opts.configPath)}.fleetdeck.lock`), fn);
  }

  private async read(): Promise<string> {
    try {
      return await readFile(this.opts.configPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw error;
    }
  }

  /** Writes a candidate beside the file, validates it with haproxy, renames it over the file, reloads. */
  private async write(current: string, routes: HaproxyRoute[]): Promise<void> {
    const generation = (managedGeneration(current) ?? 0) + 1;
    const next = withManagedSection(current, renderManagedSection(routes, { generation, ...(this.opts.bind === undefined ? {} : { bind: this.opts.bind }) }));
    const path = this.opts.configPath;
    const candidate = join(dirname(path), `.${basename(path)}.fleetdeck-${process.pid}.tmp`);
    await writeFile(candidate, next, { mode: 0o644 });
    try {
      await this.validate(candidate);
      const mode = await stat(path).then((s) => s.mode & 0o777, () => null);
      if (mode !== null) await chmod(candidate, mode);
      await rename(candidate, path);
    } finally {
      await rm(candidate, { force: true });
    }
    await this.reload(generation);
  }

  private get loadedPath(): string {
    return join(dirname(this.opts.configPath), `.${basename(this.opts.configPath)}.fleetdeck-loaded`);
  }

  /** Reloads when the file's generation is not the one the last finished reload loaded. */
  private async reloadIfPending(text: string): Promise<void> {
    if (!this.opts.reloadCommand?.[0]) return;
    const generation = managedGeneration(text);
    if (generation === null) return;
    const loaded = await readFile(this.loadedPath, 'utf8').then((t) => Number(t.trim()), () => null);
    if (loaded !== generation) await this.reload(generation);
  }

  private async validate(file: string): Promise<void> {
    if (this.opts.validate === false) return;
    const binary = this.opts.haproxyBinary ?? 'haproxy';
    const result = await execa(binary, ['-c', '-f', file], { reject: false, stdin: 'ignore', timeout: 30_000, all: true });
    if (result.code === 'ENOENT') {
      throw new FleetError('UNAVAILABLE', `haproxy is not installed (no "${binary}" on PATH), so the new config cannot be validated`, 'Install HAProxy (e.g. `apt-get install haproxy`); the config file was not changed.');
    }
    if (result.exitCode !== 0) {
      const alerts = String(result.all ?? '').split('\n').filter((l) => /ALERT|error/i.test(l)).slice(0, 6).join('\n').split(file).join(this.opts.configPath);
      throw new FleetError('EXTERNAL', `haproxy rejected the new config for ${this.opts.configPath}${alerts ? `:\n${alerts}` : ''}`, `The file was left as it was. Fix the operator-written part it points at (check with \`haproxy -c -f ${this.opts.configPath}\`), then retry.`, { configPath: this.opts.configPath });
    }
  }

  private async reload(generation: number): Promise<void> {
    const [command, ...args] = this.opts.reloadCommand ?? [];
    if (!command) return;
    const result = await execa(command, args, { reject: false, stdin: 'ignore', timeout: 60_000 });
    if (result.failed) {
      const why = result.code === 'ENOENT' ? `"${command}" not found` : String(result.stderr ?? '').trim().split('\n').slice(-3).join(' ');
      throw new FleetError('EXTERNAL', `the HAProxy config was written but the reload command failed: ${why}`, 'Check the reload command in the fleetdeck configuration; the next retry or repair reloads again.', { configPath: this.opts.configPath });
    }
    await writeFile(this.loadedPath, `${generation}\n`);
  }
}

function sameRoute(a: HaproxyRoute, b: HaproxyRoute): boolean {
  return a.host === b.host && a.address === b.address && a.port === b.port;
}

function toRegistration(route: HaproxyRoute): Registration {
  return {
    kind: 'haproxy',
    name: route.name,
    target: `${route.address}:${route.port}`,
    managed: true,
    details: { host: route.host, backend: `be_${route.name}`, httpPort: route.port },
  };
}
