/** Why a model response is judged incomplete. */
export type IncompleteReason =
  /** The stream ended without its finish part (the AI SDK then reports finish reason 'other'). */
  | 'no-finish'
  /** The response finished with reason 'other' or 'interrupted'. */
  | 'finish-reason'
  /** No chunk arrived for `streamIdleTimeoutMs`. */
  | 'stalled'
  /** The stream failed part way. */
  | 'error';

/**
 * A model response that stopped short: raised by `resilienceMiddleware` when
 * `incompleteResponses` is `'error'` (and, before any output has reached the caller, to retry).
 */
export class IncompleteResponseError extends Error {
  override readonly name = 'IncompleteResponseError';
  readonly code = 'FL_INCOMPLETE_RESPONSE';
  readonly reason: IncompleteReason;
  /** Characters of text received before it stopped. */
  readonly textLength: number;

  constructor(message: string, reason: IncompleteReason, textLength: number) {
    super(message);
    this.reason = reason;
    this.textLength = textLength;
  }
}

/** True when `error` is an {@link IncompleteResponseError} (matched by code). */
export function isIncompleteResponseError(error: unknown): error is IncompleteResponseError {
  return (
    error instanceof Error &&
    (error as Error & { code?: unknown }).code === 'FL_INCOMPLETE_RESPONSE'
  );
}
