import { FaultlineError, hasCode, type FaultlineErrorOptions } from './faultline-error.ts';

/** Thrown by a timeout policy when an operation outlives its deadline. */
export class TimeoutError extends FaultlineError {
  override readonly name = 'TimeoutError';
  /** The deadline that was exceeded, in milliseconds. */
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number, options: FaultlineErrorOptions = {}) {
    super('FL_TIMEOUT', message, options);
    this.timeoutMs = timeoutMs;
  }
}

/** True when `error` is a {@link TimeoutError} (matched by code `FL_TIMEOUT`). */
export const isTimeoutError = hasCode<TimeoutError>('FL_TIMEOUT');
