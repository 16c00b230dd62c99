/**
 * The sandbox world's ownership channel: the abstract socket whose binding makes a process the host also carries
 * requests from the others. A process that changed world.json (a cluster stopped, started or replaced) asks the host
 * to reconcile now and waits for its answer, rather than hoping the host's poll catches every change.
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

const RECONCILE = 'reconcile';

/** The abstract socket (Linux; freed by the kernel when its process dies) that marks a world's host. */
export function hostAddress(root: string): string {
  return `\0fleetdeck-sandbox-${createHash('sha256').update(realpathSync(root)).digest('hex').slice(0, 24)}`;
}

/** Serves one connection to the host: a `reconcile` line is answered `ok` once the host follows world.json. */
export function answerHostRequest(socket: Socket, reconcile: () => Promise<void>): void {
  socket.on('error', () => undefined);
  socket.setEncoding('utf8');
  let received = '';
  socket.on('data', (chunk: string) => {
    received += chunk;
    if (!received.includes('\n')) return;
    if (received.trim() !== RECONCILE) {
      socket.end();
      return;
    }
    reconcile().then(() => socket.end('ok\n'), (error: unknown) => socket.end(`error ${String((error as Error)?.message ?? error).split('\n')[0]}\n`));
  });
}

/**
 * Asks the hosting process to reconcile with world.json now. Resolves `hosted: false` when no process hosts the
 * world (nothing to ask); rejects when the host answers with an error or not within `timeoutMs`.
 */
export function askHostToReconcile(root: string, timeoutMs = 10_000): Promise<{ hosted: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(hostAddress(root));
    let answer = '';
    let connected = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the process hosting the sandbox did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (fn: () => void): void => {
      clearTimeout(timer);
      fn();
    };
    socket.setEncoding('utf8');
    socket.once('connect', () => {
      connected = true;
      socket.write(`${RECONCILE}\n`);
    });
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.once('error', (error) => done(() => (connected ? reject(error) : resolve({ hosted: false }))));
    socket.once('close', () => done(() => {
      const line = answer.trim();
      if (line === 'ok') resolve({ hosted: true });
      else if (line.startsWith('error ')) reject(new Error(`the process hosting the sandbox could not follow world.json: ${line.slice(6)}`));
      // A host that does not take requests (an older fleetdeck) still follows world.json by polling it.
      else resolve({ hosted: connected });
    }));
  });
}
