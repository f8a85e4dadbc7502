import { FaultlineError, type FaultlineErrorOptions } from '../../core/index.ts';
import { codeGuard } from './code-guard.ts';

/** One problem found in a hand-off: where, what was wrong, and the value found there. */
export interface HandoffIssue {
  /** Dotted path inside the message, e.g. `payload.images[0].url`; `(message)` for the whole. */
  readonly path: string;
  /** What was expected, e.g. `expected number, received string`. */
  readonly message: string;
  /** The value found at `path` (shortened when long). */
  readonly value: unknown;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    text = typeof value === 'object' && value !== null ? 'an unserialisable object' : typeof value;
  }
  return text.length <= 80 ? text : `${text.slice(0, 77)}...`;
}

/**
 * A message handed from one agent to another did not match the receiver's schema (or was not
 * JSON at all): a corrupted hand-off, detected instead of passed on. The message names the first
 * offending path and the value found there; `issues` lists them all.
 */
export class HandoffValidationError extends FaultlineError {
  override readonly name = 'HandoffValidationError';
  /** The sending agent. */
  readonly from: string;
  /** The receiving agent. */
  readonly to: string;
  /** Every problem found, in schema order. */
  readonly issues: readonly HandoffIssue[];

  constructor(
    from: string,
    to: string,
    issues: readonly HandoffIssue[],
    options: FaultlineErrorOptions = {},
  ) {
    const first = issues[0];
    const detail =
      first === undefined
        ? 'invalid message'
        : `${first.path}: ${first.message} (got ${show(first.value)})`;
    const more = issues.length > 1 ? ` and ${issues.length - 1} more issue(s)` : '';
    super('FL_HANDOFF_INVALID', `hand-off ${from} -> ${to} rejected: ${detail}${more}`, options);
    this.from = from;
    this.to = to;
    this.issues = issues;
  }
}

/** True when `error` is a {@link HandoffValidationError} (matched by code `FL_HANDOFF_INVALID`). */
export const isHandoffValidationError = codeGuard<HandoffValidationError>('FL_HANDOFF_INVALID');
