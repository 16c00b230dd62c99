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
}

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
  const lines = [BEGIN_MARKER, 'frontend http-in', `    bind ${opts.bind ?? '*:80'}`, '    mode http'];
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

export function parseManagedRoutes(text: string): HaproxyRoute[] {
  const { managed } = splitConfig(text);
  if (managed === null) return [];
  const hosts = new Map<string, string>();
  const routes: HaproxyRoute[] = [];
  let backend: string | null = null;
  for (const raw of managed.split('\n')) {
    const line = raw.trim();
    const acl = /^acl host_(\S+) hdr\(host\) -i (\S+)$/.exec(line);
    if (acl?.[1] && acl[2]) hosts.set(acl[1], acl[2]);
    const be = /^backend be_(\S+)$/.exec(line);
    if (be?.[1]) backend = be[1];
    const server = /^server (\S+) (\S+):(\d+)/.exec(line);
    if (server?.[1] && server[2] && server[3] && backend === server[1]) {
      routes.push({ name: backend, host: hosts.get(backend) ?? '', address: server[2], port: Number(server[3]) });
    }
  }
  return routes;
}
