/** Options accepted by every {@link FaultlineError}. */
export interface FaultlineErrorOptions {
  /** The error that led to this one. */
  cause?: unknown;
}

/**
 * Base class of every error faultline creates. `code` is stable across versions; match errors
 * with the `is…Error` guards, which compare codes and so work across duplicate installs.
 */
export class FaultlineError extends Error {
  override readonly name: string = 'FaultlineError';
  /** Stable machine-readable code such as `FL_CIRCUIT_OPEN`. */
  readonly code: string;

  constructor(code: string, message: string, options: FaultlineErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.code = code;
  }
}

/** True when `error` is any faultline error (by shape, not by class identity). */
export function isFaultlineError(error: unknown): error is FaultlineError {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('FL_');
}

/** @internal Builds a guard that matches errors by their `code`. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- E names the guarded type
export function hasCode<E extends FaultlineError>(code: string) {
  return (error: unknown): error is E =>
    error instanceof Error && (error as Error & { code?: unknown }).code === code;
}
