import { FaultlineError, hasCode, type FaultlineErrorOptions } from './faultline-error.ts';

/** Thrown by a loop guard when the same action repeats more often than allowed within its window. */
export class LoopDetectedError extends FaultlineError {
  override readonly name = 'LoopDetectedError';
  /** The key of the repeated action. */
  readonly key: string;
  /** How many times it was seen within the window, this call included. */
  readonly repetitions: number;

  constructor(
    message: string,
    key: string,
    repetitions: number,
    options: FaultlineErrorOptions = {},
  ) {
    super('FL_LOOP_DETECTED', message, options);
    this.key = key;
    this.repetitions = repetitions;
  }
}

/** True when `error` is a {@link LoopDetectedError} (matched by code `FL_LOOP_DETECTED`). */
export const isLoopDetectedError = hasCode<LoopDetectedError>('FL_LOOP_DETECTED');
