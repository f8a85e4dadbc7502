declare const timerBrand: unique symbol;

/** Opaque handle of a timer created by {@link Clock.setTimer}. */
export interface TimerHandle {
  readonly [timerBrand]: true;
}

/**
 * Source of time for every policy, fault and runner. Nothing in faultline reads the wall clock
 * directly: production code gets {@link realClock}, tests and simulations a {@link VirtualClock}.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch (monotonic for the real clock). */
  now(): number;
  /**
   * Resolves after `ms` milliseconds; rejects with `signal.reason` as soon as `signal` aborts.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `callback` once after `ms` milliseconds unless cleared first. */
  setTimer(ms: number, callback: () => void): TimerHandle;
  /** Cancels a timer; clearing a fired or already-cleared timer does nothing. */
  clearTimer(handle: TimerHandle): void;
}

/**
 * Shared implementation of `sleep` on top of `setTimer`, so both clocks abort the same way.
 * @internal
 */
export function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal === undefined) {
    return new Promise((resolve) => {
      clock.setTimer(ms, resolve);
    });
  }
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimer(handle);
      reject(signal.reason as Error);
    };
    const handle = clock.setTimer(ms, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
