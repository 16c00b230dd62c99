import { Text } from 'ink';
import { useEffect, useState } from 'react';
import type { InstallTask, InstallView, StageRecord, StageStatus } from '../../core/dataplane/types.js';
import { attemptText, taskStateText } from '../panels/installs-output.js';
import { useTone } from '../theme.js';

const MARK: Record<StageStatus, string> = { pending: '·', running: '…', completed: '✓', skipped: '✓', failed: '✗' };

export function seconds(fromIso: string | null, toMs: number): string {
  if (!fromIso) return '';
  const s = Math.max(0, (toMs - new Date(fromIso).getTime()) / 1000);
  return s < 60 ? `${s.toFixed(s < 10 ? 1 : 0)}s` : `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
}

export function stageLine(stage: StageRecord, now: number): string {
  const name = stage.name.padEnd(24);
  switch (stage.status) {
    case 'completed': return `${MARK.completed} ${name} done ${seconds(stage.startedAt, stage.finishedAt ? new Date(stage.finishedAt).getTime() : now)}`;
    case 'skipped': return `${MARK.skipped} ${name} already done${stage.detail ? ` (${stage.detail})` : ''}`;
    case 'running': return `${MARK.running} ${name} running ${seconds(stage.startedAt, now)}`;
    case 'failed': return `${MARK.failed} ${name} failed: ${stage.error ?? 'no error recorded'}`;
    case 'pending': return `${MARK.pending} ${name} pending`;
  }
}

/** A clock that ticks only while something is running, so elapsed times move without a tight loop. */
function useNow(ticking: boolean, everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return undefined;
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [ticking, everyMs]);
  return ticking ? Math.max(now, Date.now()) : Date.now();
}

/**
 * What a queued (pending) task waits for: a worker to claim it, or the end of its retry backoff. Until a worker claims
 * it the cluster's dataplane status stays as it was (seed 000: deploying is set when the installer starts).
 */
export function queuedLine(task: Pick<InstallTask, 'status' | 'retryCount' | 'nextAttemptAt'>, now: number): string | null {
  if (task.status !== 'pending') return null;
  const due = Date.parse(task.nextAttemptAt);
  if (task.retryCount > 0 && due > now) return `queued: next attempt in ${seconds(new Date(now).toISOString(), due)}, after the retry backoff`;
  return `queued for ${seconds(task.nextAttemptAt, now)}: waiting for an install worker (fleetdeck daemon, fleetdeck serve or a cockpit) to start it`;
}

/** The selected cluster's current (or last) task, stage by stage, then its release history. */
export function InstallStages({ view, height }: { view: InstallView; height: number }) {
  const tone = useTone();
  const stages = view.task?.stages ?? [];
  const task = view.task;
  const now = useNow(stages.some((stage) => stage.status === 'running') || task?.status === 'pending');
  const title = `${view.cluster} · dataplane ${view.dataplaneStatus} · storage ${view.storageMode ?? 'unset (external)'}`
    + (task ? ` · task ${task.id} ${taskStateText(task)}, ${attemptText(task)}${task.runner === 'job' ? ' · Job runner' : ''}` : ' · no install yet');
  const lines: { key: string; text: string; colour?: string | undefined; dim?: boolean }[] = [];
  const queued = task ? queuedLine(task, now) : null;
  if (queued) lines.push({ key: 'q', text: `  ${queued}`, colour: tone('yellow') });
  for (const stage of stages) {
    lines.push({ key: `s${stage.position}`, text: `  ${stageLine(stage, now)}`, colour: stage.status === 'failed' ? tone('red')
      : stage.status === 'running' ? tone('yellow') : undefined, dim: stage.status === 'pending' });
  }
  if (task?.errorMessage && !stages.some((stage) => stage.status === 'failed')) {
    lines.push({ key: 'err', text: `  error: ${task.errorMessage}`, colour: tone('red') });
  }
  if (view.history.length > 0) lines.push({ key: 'h', text: 'history', dim: true });
  for (const entry of view.history) {
    lines.push({ key: `h${entry.id}`, text: `  #${entry.id} ${entry.action.padEnd(6)} ${entry.status.padEnd(9)} ${entry.storageMode.padEnd(12)} `
      + `${entry.createdAt.replace('T', ' ').slice(0, 19)} by ${entry.triggeredBy}${entry.errorMessage ? ` · ${entry.errorMessage}` : ''}` });
  }
  return (
    <>
      <Text wrap="truncate" bold color={tone('cyan')}>{title}</Text>
      {lines.slice(0, Math.max(0, height - 1)).map((line) => (
        <Text key={line.key} wrap="truncate" color={line.colour} dimColor={line.dim === true}>{line.text}</Text>
      ))}
    </>
  );
}
