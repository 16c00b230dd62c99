import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { connect } from 'node:net';
import { ownerAddress } from '../../../core/db/embedded/embedded-database.js';

function answers(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(address);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** True while some process hosts the sandbox in `root` or owns its embedded database. */
export async function sandboxInUse(root: string, dbDir: string): Promise<boolean> {
  if (!existsSync(root)) return false;
  const host = `\0fleetdeck-sandbox-${createHash('sha256').update(realpathSync(root)).digest('hex').slice(0, 24)}`;
  if (await answers(host)) return true;
  return existsSync(dbDir) && (await answers(ownerAddress(dbDir)));
}
