/** Whether a cluster's API server accepts connections: a TCP connect, so self-signed TLS does not matter. */
import { connect } from 'node:net';

export async function probeServer(serverUrl: string, timeoutMs: number): Promise<string | null> {
  let host: string;
  let port: number;
  try {
    const url = new URL(serverUrl);
    host = url.hostname === '0.0.0.0' || url.hostname === '' ? '127.0.0.1' : url.hostname.replace(/^\[|\]$/g, '');
    port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  } catch {
    return `unparseable server URL`;
  }
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: string | null): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer from ${host}:${port} within ${timeoutMs} ms`));
    socket.once('connect', () => done(null));
    socket.once('error', (error: NodeJS.ErrnoException) => done(`${error.code ?? 'error'} at ${host}:${port}`));
  });
}

/** Runs `fn` over items with at most `limit` at a time. */
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
