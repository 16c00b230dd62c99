import { DatabaseUnavailableError, FleetError } from '../errors.js';
import { redactDatabaseUrl } from './database.js';

const NETWORK_CODES = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE']);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_|CERT_)/;
/**
 * node-postgres raises these without a code, so they are the exceptions to "never match on message
 * text": the server refused TLS that the URL asked for, and the connect timeout (the pool's and the client's).
 */
const PG_NO_SSL = 'The server does not support SSL connections';
const PG_CONNECT_TIMEOUTS = new Set(['timeout exceeded when trying to connect', 'Connection terminated due to connection timeout']);

const URL_HINT = 'Fix --database-url or FLEETDECK_DATABASE_URL (or databaseUrl in the config file), or leave it out to use the embedded database.';

interface UrlParts {
  host: string;
  port: string;
  database: string;
  user: string;
}

function partsOf(url: string): UrlParts {
  try {
    const parsed = new URL(url);
    return {
      host: parsed.hostname || 'localhost',
      port: parsed.port || '5432',
      database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || decodeURIComponent(parsed.username) || 'postgres',
      user: decodeURIComponent(parsed.username) || 'the default user',
    };
  } catch {
    return { host: '?', port: '?', database: '?', user: '?' };
  }
}

/**
 * Expected failures of reaching a PostgreSQL server (down, wrong host, wrong password, no such database,
 * TLS) as a DatabaseUnavailableError naming the URL without its password; anything else is returned as is.
 */
export function explainConnectionError(error: unknown, url: string): unknown {
  if (error instanceof FleetError || typeof error !== 'object' || error === null) return error;
  const target = redactDatabaseUrl(url);
  const { host, port, database, user } = partsOf(url);
  const code = (error as { code?: unknown }).code;
  const message = (error as { message?: unknown }).message;
  const unavailable = (reason: string, hint: string) => new DatabaseUnavailableError(target, reason, hint);
  switch (code) {
    case 'ECONNREFUSED':
      return unavailable(`connection refused by ${host}:${port}`,
        `Check that PostgreSQL is running and listening on ${host}:${port}. ${URL_HINT}`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return unavailable(`the host ${host} was not found`, `Check the host name in the URL and this machine's DNS. ${URL_HINT}`);
    case '28P01':
    case '28000':
      return unavailable(`the server refused user ${user} (${String(message)})`,
        'Check the user name and password in the URL (or ~/.pgpass) and the server\'s pg_hba.conf.');
    case '3D000':
      return unavailable(`database "${database}" does not exist on ${host}:${port}`,
        `Create it (createdb -h ${host} -p ${port} ${database}) or fix the database name in the URL.`);
    default:
      break;
  }
  if (typeof code === 'string' && NETWORK_CODES.has(code)) {
    return unavailable(`no usable connection to ${host}:${port} (${code})`,
      `Check the network path to ${host}:${port} and that the server is up. ${URL_HINT}`);
  }
  if ((typeof code === 'string' && TLS_CODE.test(code)) || message === PG_NO_SSL) {
    return unavailable(`TLS with ${host}:${port} failed: ${String(message)}`,
      'Check sslmode in the URL (sslmode=disable if the server has no TLS) and the server\'s certificate.');
  }
  if (typeof message === 'string' && PG_CONNECT_TIMEOUTS.has(message)) {
    return unavailable(`no answer from ${host}:${port} within 10 s`, `Check that the server is up and reachable. ${URL_HINT}`);
  }
  return error;
}
