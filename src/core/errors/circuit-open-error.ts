import { FaultlineError, hasCode, type FaultlineErrorOptions } from './faultline-error.ts';

/** Thrown by a circuit breaker that refuses a call because it is open, isolated, or its half-open probes are all taken. */
export class CircuitOpenError extends FaultlineError {
  override readonly name = 'CircuitOpenError';
  /** Milliseconds until the breaker will let a probe through (0 when isolated by hand: unknown). */
  readonly retryAfterMs: number;

  constructor(message: string, retryAfterMs: number, options: FaultlineErrorOptions = {}) {
    super('FL_CIRCUIT_OPEN', message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/** True when `error` is a {@link CircuitOpenError} (matched by code `FL_CIRCUIT_OPEN`). */
export const isCircuitOpenError = hasCode<CircuitOpenError>('FL_CIRCUIT_OPEN');
