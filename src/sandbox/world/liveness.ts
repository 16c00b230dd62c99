import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { ownerAddress } from '../../../core/db/embedded/embedded-database.js';
import { hostAddress } from './host-channel.js';

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
  if (await answers(hostAddress(root))) return true;
  return existsSync(dbDir) && (await answers(ownerAddress(dbDir)));
}
