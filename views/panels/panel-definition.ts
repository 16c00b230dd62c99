import type { ComponentType } from 'react';
import type { ActionContext } from '../actions/action-context.js';
import type { ActionId } from '../keys.js';
import type { PanelId } from '../panel-id.js';

export interface PanelBodyProps {
  /** Lines the panel may use; it must never render more. */
  height: number;
  width: number;
}

/**
 * One entry of the panel bar. A subsystem adds its panel by filling in `Body` and `onAction`
 * (and its key rows in views/keys.ts); a panel without a Body shows "not available yet".
 */
export interface PanelDefinition {
  id: PanelId;
  title: string;
  Body: ComponentType<PanelBodyProps> | null;
  onAction?(action: ActionId, ctx: ActionContext): void;
}
