import { FaultlineError, hasCode, type FaultlineErrorOptions } from './faultline-error.ts';

/** Thrown at construction when an option is missing or out of range; the message names the owner, the option, the value and what is allowed. */
export class InvalidOptionError extends FaultlineError {
  override readonly name = 'InvalidOptionError';
  /** Who rejected the option, e.g. `retry`. */
  readonly owner: string;
  /** The option's name (or path). */
  readonly option: string;
  /** The rejected value. */
  readonly value: unknown;
  /** What would have been accepted. */
  readonly expected: string;

  constructor(
    message: string,
    details: { owner: string; option: string; value: unknown; expected: string },
    options: FaultlineErrorOptions = {},
  ) {
    super('FL_INVALID_OPTION', message, options);
    this.owner = details.owner;
    this.option = details.option;
    this.value = details.value;
    this.expected = details.expected;
  }
}

/** True when `error` is a {@link InvalidOptionError} (matched by code `FL_INVALID_OPTION`). */
export const isInvalidOptionError = hasCode<InvalidOptionError>('FL_INVALID_OPTION');
