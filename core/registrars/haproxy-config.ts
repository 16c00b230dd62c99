/**
 * The fleetdeck-managed part of an HAProxy config: a frontend `http-in` routing `Host: NAME.<domain>` to a backend
 * `be_NAME` → 127.0.0.1:<httpPort>. It sits between marker comments; everything outside them is the operator's.
 */
export const BEGIN_MARKER = '# >>> fleetdeck managed routes: generated, edits between these markers are overwritten >>>';
export const END_MARKER = '# <<< fleetdeck managed routes <<<';

export interface HaproxyRoute {
  name: string;
  host: string;
  address: string;
  port: number;
}

export interface RenderOptions {
  bind?: string;
  /**
   * Counts the writes of the managed section. A reload records the generation it loaded beside the file, so a write
   * whose reload never finished (a crash, a failed reload command) is reloaded by the next ensure or remove.
   */
  generation?: number;
}

const GENERATION_LINE = /^# generation (\d+)$/m;

/** What a fresh file holds outside the managed section. */
export const DEFAULT_PREAMBLE = [
  'global',
  '    log stdout format raw local0',
  '',
  'defaults',
  '    mode http',
  '    log global',
  '    timeout connect 5s',
  '    timeout client 30s',
  '    timeout server 30s',
  '',
].join('\n');

export function renderManagedSection(routes: readonly HaproxyRoute[], opts: RenderOptions = {}): string {
  const sorted = [...routes].sort((a, b) => a.name.localeCompare(b.name));
  const lines = [BEGIN_MARKER, ...(opts.generation === undefined ? [] : [`# generation ${opts.generation}`]),
    'frontend http-in', `    bind ${opts.bind ?? '*:80'}`, '    mode http'];
  for (const r of sorted) lines.push(`    acl host_${r.name} hdr(host) -i ${r.host}`);
  for (const r of sorted) lines.push(`    use_backend be_${r.name} if host_${r.name}`);
  for (const r of sorted) lines.push('', `backend be_${r.name}`, '    mode http', `    server ${r.name} ${r.address}:${r.port}`);
  lines.push(END_MARKER);
  return lines.join('\n');
}

export interface SplitConfig {
  before: string;
  managed: string | null;
  after: string;
}

export function splitConfig(text: string): SplitConfig {
  const begin = text.indexOf(BEGIN_MARKER);
  const end = text.indexOf(END_MARKER);
  if (begin < 0 || end < begin) return { before: text, managed: null, after: '' };
  return { before: text.slice(0, begin), managed: text.slice(begin, end + END_MARKER.length), after: text.slice(end + END_MARKER.length) };
}

/** Replaces (or appends) the managed section, leaving the operator's text byte for byte. */
export function withManagedSection(text: string, section: string): string {
  const parts = splitConfig(text);
  if (parts.managed !== null) return `${parts.before}${section}${parts.after}`;
  const base = text.trim() === '' ? DEFAULT_PREAMBLE : text;
  return `${base}${base.endsWith('\n') ? '' : '\n'}\n${section}\n`;
}

/** The managed section's generation; null for a file without one (none yet, or written before generations). */
export function managedGeneration(text: string): number | null {
  const { managed } = splitConfig(text);
  const match = managed === null ? null : GENERATION_LINE.exec(managed);
  return match?.[1] ? Number(match[1]) : null;
}

/**
 * The three kinds of line the routes are read from (`acl host_NAME hdr(host) -i HOST`, `backend be_NAME`,
 * `server NAME ADDRESS:PORT`), in one pass over the section: at 10,000 routes it is 60,000 lines, and one
 * multiline expression reads them in about half the time of splitting, trimming and trying each pattern per line.
 */
const ROUTE_LINES = /^[ \t]*(?:acl host_(\S+) hdr\(host\) -i (\S+)[ \t\r]*$|backend be_(\S+)[ \t\r]*$|server (\S+) (\S+):(\d+))/gm;

export function parseManagedRoutes(text: string): HaproxyRoute[] {
  const { managed } = splitConfig(text);
  if (managed === null) return [];
  const hosts = new Map<string, string>();
  const routes: HaproxyRoute[] = [];
  let backend: string | null = null;
  for (const [, aclName, aclHost, backendName, serverName, address, port] of managed.matchAll(ROUTE_LINES)) {
    if (aclName !== undefined && aclHost !== undefined) hosts.set(aclName, aclHost);
    else if (backendName !== undefined) backend = backendName;
    else if (serverName !== undefined && address !== undefined && port !== undefined && backend === serverName) {
      routes.push({ name: backend, host: hosts.get(backend) ?? '', address, port: Number(port) });
    }
  }
  return routes;
}
