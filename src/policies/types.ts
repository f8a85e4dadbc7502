import type { Clock, Random } from '../core/index.ts';

/** What a policy hands to the function it runs. */
export interface PolicyContext {
  /** Aborts when the caller, a timeout or a hedge gives up on this call. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt; a retry policy counts up from there. */
  readonly attempt: number;
}

/** A function run by a policy. */
export type PolicyFunction<T> = (context: PolicyContext) => T | PromiseLike<T>;

/**
 * The one contract every resilience policy implements. `input` is the caller's abort signal, or
 * the {@link PolicyContext} received from an outer policy (which keeps its attempt number).
 */
export interface Policy {
  execute<T>(fn: PolicyFunction<T>, input?: AbortSignal | PolicyContext): Promise<T>;
}

/** Options every policy accepts. */
export interface PolicyOptions {
  /**
   * Name used in events, diagnostics-channel messages and error messages.
   * @default the policy's kind, e.g. `'retry'`
   */
  name?: string;
  /**
   * Source of time; pass a `VirtualClock` in tests and simulations.
   * @default realClock
   */
  clock?: Clock;
  /**
   * Source of randomness (jitter, probabilities).
   * @default a Random seeded from the operating system, its seed exposed
   */
  random?: Random;
}
