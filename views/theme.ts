import { createContext, useContext } from 'react';

/** NO_COLOR (https://no-color.org) turns every colour prop off; bold and inverse stay, they are not colour. */
export interface Theme {
  color: boolean;
}

export function themeFromEnv(env: Record<string, string | undefined>): Theme {
  return { color: env.NO_COLOR === undefined || env.NO_COLOR === '' };
}

export const ThemeContext = createContext<Theme>({ color: true });

/** A colour name, or undefined when colour is off. */
export function useTone(): (color: string) => string | undefined {
  const theme = useContext(ThemeContext);
  return (color) => (theme.color ? color : undefined);
}
