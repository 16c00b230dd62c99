import type { Actor } from '../audit/audit-log.js';

export function actorLabel(actor: Actor): string {
  return `${actor.user}@${actor.host}`;
}
