import { ValidationError } from '../errors.js';

/** Where in a template something went wrong: 1-based line and column. */
export interface TemplatePosition {
  line: number;
  column: number;
}

/**
 * Why a template failed. `syntax` is a parse error, `missingKey` a lookup of a key the data does not have,
 * `required` a failed `required "msg" x`, `execution` anything else while rendering (bad types, wrong arity).
 */
export type TemplateErrorReason = 'syntax' | 'missingKey' | 'required' | 'execution';

/**
 * A template that cannot be parsed or rendered. It is a ValidationError (code VALIDATION): the input is at fault,
 * nothing was changed. The message reads `NAME:LINE:COL: what happened`, like a compiler's.
 */
export class TemplateError extends ValidationError {
  readonly reason: TemplateErrorReason;
  readonly templateName: string;
  readonly position: TemplatePosition;
  /** The bare reason without the name and position prefix, e.g. `map has no entry for key "unknown"`. */
  readonly detail: string;
  /** For missingKey: the dotted path that was looked up, e.g. `params.unknown`. */
  readonly key: string | undefined;

  constructor(reason: TemplateErrorReason, templateName: string, position: TemplatePosition, detail: string, hint: string, key?: string) {
    super(`${templateName}:${position.line}:${position.column}: ${detail}`, hint, templateName);
    this.name = 'TemplateError';
    this.reason = reason;
    this.templateName = templateName;
    this.position = position;
    this.detail = detail;
    this.key = key;
  }
}

/** Turns an offset into a 1-based line and column (columns count UTF-16 units, good enough for editors). */
export function positionAt(source: string, offset: number): TemplatePosition {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, source.length);
  for (let i = 0; i < end; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
