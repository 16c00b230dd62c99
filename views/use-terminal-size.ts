import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface TerminalSize {
  rows: number;
  columns: number;
}

function read(stdout: NodeJS.WriteStream): TerminalSize {
  return { rows: stdout.rows || 24, columns: stdout.columns || 80 };
}

/** The terminal's size, following resizes after they settle (a drag emits dozens of events). */
export function useTerminalSize(fixed?: TerminalSize, debounceMs = 100): TerminalSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState<TerminalSize>(() => fixed ?? read(stdout));
  useEffect(() => {
    if (fixed) return undefined;
    let timer: NodeJS.Timeout | null = null;
    const onResize = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        setSize(read(stdout));
      }, debounceMs);
    };
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
      if (timer) clearTimeout(timer);
    };
  }, [stdout, fixed, debounceMs]);
  return fixed ?? size;
}
