import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { CockpitSource } from './source.js';
import type { CockpitState, CockpitStore } from './store/cockpit-store.js';

export interface CockpitContextValue {
  store: CockpitStore;
  source: CockpitSource;
}

export const CockpitContext = createContext<CockpitContextValue | null>(null);

export function useCockpitContext(): CockpitContextValue {
  const value = useContext(CockpitContext);
  if (!value) throw new Error('cockpit components must be rendered inside <Cockpit>');
  return value;
}

/** Select a slice of the cockpit state; the component re-renders only when that slice changes. */
export function useCockpit<T>(selector: (state: CockpitState) => T): T {
  return useStore(useCockpitContext().store, selector);
}
