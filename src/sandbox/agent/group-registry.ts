import type { AgentRole } from '../../../core/apps/agent/index.js';
import type { MiddlewareConfig } from './redis-config.js';

/** What a sandbox pod's agents know about their middleware instance. Tests may change `healthy` directly. */
export interface SandboxMemberState {
  instance: string;
  group: string;
  role: AgentRole;
  version: string;
  healthy: boolean;
  config: MiddlewareConfig;
  configHash: string;
  /** A reload changed a static key; the pod must restart before it runs the new value. */
  restartPending: boolean;
  startedAt: number;
}

export interface FailoverOutcome {
  success: boolean;
  message: string;
  newMaster: string;
  oldMaster: string;
}

/**
 * The members of one primary/replica group, shared by its sandbox agents: what replication coordination does in
 * a real group. Failover runs here so both sides switch roles together.
 */
export class SandboxGroupRegistry {
  private readonly states = new Map<string, SandboxMemberState>();

  constructor(readonly group: string) {}

  join(state: SandboxMemberState): SandboxMemberState {
    if (this.states.has(state.instance)) throw new Error(`instance ${state.instance} already joined group ${this.group}`);
    if (state.role === 'master' && this.master()) {
      throw new Error(`group ${this.group} already has master ${this.master()?.instance ?? ''}`);
    }
    this.states.set(state.instance, state);
    return state;
  }

  leave(instance: string): void {
    this.states.delete(instance);
  }

  members(): SandboxMemberState[] {
    return [...this.states.values()].sort((a, b) => a.instance.localeCompare(b.instance));
  }

  member(instance: string): SandboxMemberState | undefined {
    return this.states.get(instance);
  }

  master(): SandboxMemberState | undefined {
    return this.members().find((m) => m.role === 'master');
  }

  /**
   * Promotes `target`, or — without one — the asking instance if it is a replica, else the first healthy replica.
   * Every other member becomes a replica of the new master.
   */
  failover(requestedBy: string, target: string, force: boolean): FailoverOutcome {
    const oldMaster = this.master()?.instance ?? '';
    const refuse = (message: string): FailoverOutcome => ({ success: false, message, newMaster: oldMaster, oldMaster });
    let candidate: SandboxMemberState | undefined;
    if (target !== '') {
      candidate = this.states.get(target);
      if (!candidate) return refuse(`group ${this.group} has no member "${target}"`);
    } else {
      const asking = this.states.get(requestedBy);
      candidate = asking?.role === 'replica' ? asking : this.members().find((m) => m.role === 'replica' && m.healthy);
      if (!candidate) return refuse(`group ${this.group} has no healthy replica to promote`);
    }
    if (candidate.role === 'master') return refuse(`${candidate.instance} is already the master of ${this.group}`);
    if (!candidate.healthy && !force) return refuse(`${candidate.instance} is not healthy; force the failover to promote it anyway`);
    for (const member of this.states.values()) member.role = member === candidate ? 'master' : 'replica';
    return {
      success: true,
      message: `promoted ${candidate.instance}${oldMaster ? `, demoted ${oldMaster}` : ''}`,
      newMaster: candidate.instance,
      oldMaster,
    };
  }
}
