import { ValidationError, asFleetError } from '../errors.js';
import type { ClusterRecord, ClusterSpec } from './types.js';
import { parsePort, validateClusterSpec } from './validation.js';

/** Kindler's `config/environments.csv` columns, in order. */
export const CSV_COLUMNS = [
  'env', 'provider', 'node_port', 'pf_port', 'register_portainer', 'haproxy_route', 'http_port', 'https_port', 'cluster_subnet',
] as const;

/** Kindler's management cluster: in its CSV, never an environment. */
const MANAGEMENT_ROW = 'devops';

export interface CsvRowIssue {
  line: number;
  name: string;
  reason: string;
}

export interface CsvImportReport {
  total: number;
  imported: number;
  skipped: number;
  failed: number;
  errors: CsvRowIssue[];
  skippedRows: CsvRowIssue[];
}

interface CsvRow {
  line: number;
  fields: string[];
}

/** Data rows of the file: comment lines (#), blank lines and the header are left out. */
export function csvDataRows(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = line.split(',').map((field) => field.trim());
    if (fields[0] === 'env' && rows.length === 0) return;
    rows.push({ line: index + 1, fields });
  });
  return rows;
}

export function parseBoolean(text: string | undefined, field: string): boolean | undefined {
  const value = (text ?? '').trim().toLowerCase();
  if (value === '') return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ValidationError(`${field} "${text ?? ''}" is not a boolean`, 'Use true, false, 1 or 0.', field);
}

function rowToSpec(fields: string[]): ClusterSpec {
  if (fields.length > CSV_COLUMNS.length) {
    throw new ValidationError(`row has ${fields.length} columns; Kindler's CSV has ${CSV_COLUMNS.length}`,
      `Columns are: ${CSV_COLUMNS.join(',')}.`);
  }
  const [env = '', provider = '', nodePort, pfPort, registerPortainer, haproxyRoute, httpPort, httpsPort, subnet] = fields;
  const spec: ClusterSpec = { name: env, provider: provider as ClusterSpec['provider'] };
  const set = <K extends keyof ClusterSpec>(key: K, value: ClusterSpec[K] | undefined): void => {
    if (value !== undefined) spec[key] = value;
  };
  set('nodePort', parsePort(nodePort, 'node_port'));
  set('pfPort', parsePort(pfPort, 'pf_port'));
  set('httpPort', parsePort(httpPort, 'http_port'));
  set('httpsPort', parsePort(httpsPort, 'https_port'));
  set('registerPortainer', parseBoolean(registerPortainer, 'register_portainer'));
  set('haproxyRoute', parseBoolean(haproxyRoute, 'haproxy_route'));
  if (subnet) spec.subnet = subnet;
  return validateClusterSpec(spec);
}

function differsFrom(existing: ClusterRecord, spec: ClusterSpec): boolean {
  const pairs: [unknown, unknown][] = [
    [spec.provider, existing.provider], [spec.nodePort, existing.nodePort], [spec.pfPort, existing.pfPort],
    [spec.httpPort, existing.httpPort], [spec.httpsPort, existing.httpsPort], [spec.subnet ?? undefined, existing.subnet ?? undefined],
  ];
  return pairs.some(([wanted, actual]) => wanted !== undefined && wanted !== actual);
}

/**
 * migrate_csv_to_db.sh's semantics: devops is skipped and, as in its report ("总计: 1 / 成功: 1 /
 * 跳过: 1 (devops)"), not counted in `total`, which counts the environments; rows already in the
 * inventory are skipped (so a re-run imports nothing twice); each row is one atomic insert, so a bad
 * row fails alone with its reason and never leaves half a cluster behind.
 */
export async function importCsv(
  text: string,
  insert: (spec: ClusterSpec) => Promise<ClusterRecord>,
  find: (name: string) => Promise<ClusterRecord | null>,
): Promise<CsvImportReport> {
  const rows = csvDataRows(text);
  const report: CsvImportReport = {
    total: rows.filter(({ fields }) => fields[0] !== MANAGEMENT_ROW).length, imported: 0, skipped: 0, failed: 0, errors: [], skippedRows: [],
  };
  const seen = new Map<string, number>();
  const fail = (line: number, name: string, reason: string): void => {
    report.failed += 1;
    report.errors.push({ line, name, reason });
  };
  for (const { line, fields } of rows) {
    const name = fields[0] ?? '';
    if (name === MANAGEMENT_ROW) {
      report.skipped += 1;
      report.skippedRows.push({ line, name, reason: 'devops is the management cluster, not an environment' });
      continue;
    }
    let spec: ClusterSpec;
    try {
      spec = rowToSpec(fields);
    } catch (error) {
      fail(line, name, asFleetError(error).message);
      continue;
    }
    const firstLine = seen.get(spec.name);
    if (firstLine !== undefined) {
      fail(line, spec.name, `duplicate of line ${firstLine}`);
      continue;
    }
    seen.set(spec.name, line);
    const existing = await find(spec.name);
    if (existing) {
      report.skipped += 1;
      report.skippedRows.push({ line, name: spec.name, reason: differsFrom(existing, spec)
        ? 'already in the inventory with different values; the inventory\'s row is kept'
        : 'already in the inventory' });
      continue;
    }
    try {
      await insert(spec);
      report.imported += 1;
    } catch (error) {
      fail(line, spec.name, asFleetError(error).message);
    }
  }
  return report;
}

/**
 * Kindler's own format exactly: the header on the first line and one row per environment. No comment
 * line: Kindler's readers skip only the first line (awk 'NR>1'), so a comment would push the header
 * down and be read as an environment called "env".
 */
export function exportCsv(clusters: readonly ClusterRecord[]): string {
  const lines = [
    CSV_COLUMNS.join(','),
    ...clusters.map((c) => [c.name, c.provider, c.nodePort, c.pfPort, c.registerPortainer, c.haproxyRoute,
      c.httpPort, c.httpsPort, c.subnet ?? ''].join(',')),
  ];
  return `${lines.join('\n')}\n`;
}
