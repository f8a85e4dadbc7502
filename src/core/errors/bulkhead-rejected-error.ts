import { FaultlineError, hasCode, type FaultlineErrorOptions } from './faultline-error.ts';

/** Thrown by a bulkhead whose slots and queue are full, or whose queued call waited too long. */
export class BulkheadRejectedError extends FaultlineError {
  override readonly name = 'BulkheadRejectedError';
  /** Calls running when this one was refused. */
  readonly executing: number;
  /** Calls queued when this one was refused. */
  readonly queued: number;

  constructor(
    message: string,
    executing: number,
    queued: number,
    options: FaultlineErrorOptions = {},
  ) {
    super('FL_BULKHEAD_REJECTED', message, options);
    this.executing = executing;
    this.queued = queued;
  }
}

/** True when `error` is a {@link BulkheadRejectedError} (matched by code `FL_BULKHEAD_REJECTED`). */
export const isBulkheadRejectedError = hasCode<BulkheadRejectedError>('FL_BULKHEAD_REJECTED');
