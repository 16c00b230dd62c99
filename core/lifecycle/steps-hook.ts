/**
 * A seam for crash tests: called at the start of each lifecycle step ('before') and right after its effect, before
 * the journal records it ('after'). Production passes nothing.
 */
export type StepCheckpoint = (step: string, phase: 'before' | 'after') => Promise<void>;

export async function checkpointed<T>(checkpoint: StepCheckpoint | undefined, step: string, effect: () => Promise<T>): Promise<T> {
  await checkpoint?.(step, 'before');
  const result = await effect();
  await checkpoint?.(step, 'after');
  return result;
}
