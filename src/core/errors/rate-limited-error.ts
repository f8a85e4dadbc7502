import { FaultlineError, hasCode, type FaultlineErrorOptions } from './faultline-error.ts';

/** Thrown by a rate limiter that refuses a call instead of waiting for capacity. */
export class RateLimitedError extends FaultlineError {
  override readonly name = 'RateLimitedError';
  /** Milliseconds until capacity is expected to be available. */
  readonly retryAfterMs: number;

  constructor(message: string, retryAfterMs: number, options: FaultlineErrorOptions = {}) {
    super('FL_RATE_LIMITED', message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/** True when `error` is a {@link RateLimitedError} (matched by code `FL_RATE_LIMITED`). */
export const isRateLimitedError = hasCode<RateLimitedError>('FL_RATE_LIMITED');
