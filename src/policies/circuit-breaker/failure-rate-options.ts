import {
  assertInteger,
  assertPositiveNumber,
  assertProbability,
  invalidOption,
} from '../../core/index.ts';
import type { StrategyBreakReason } from './breaking-strategy.ts';

/** Options shared by the sliding-window strategies {@link countWindow} and {@link timeWindow}. */
export interface FailureRateOptions {
  /**
   * Share of failed calls in the window (0 < x <= 1) at or above which the breaker opens.
   * @default 0.5
   */
  failureRateThreshold?: number;
  /**
   * Calls the window must hold before any rate is judged, so that one failure out of one call
   * does not open the breaker.
   * @default 10 (at most the count window's `size`)
   */
  minimumThroughput?: number;
  /**
   * Calls that take longer than this many milliseconds count as slow (whether they succeed or
   * fail). Leave unset to not time calls at all.
   * @default undefined (slow-call counting off)
   */
  slowCallDurationMs?: number;
  /**
   * Share of slow calls in the window (0 < x <= 1) at or above which the breaker opens. Only
   * used with `slowCallDurationMs`.
   * @default 1
   */
  slowCallRateThreshold?: number;
}

/** @internal The validated form of {@link FailureRateOptions}. */
export interface FailureRateSettings {
  readonly failureRateThreshold: number;
  readonly minimumThroughput: number;
  readonly slowCallDurationMs: number | undefined;
  readonly slowCallRateThreshold: number;
}

function assertRate(owner: string, option: string, value: number): number {
  assertProbability(owner, option, value);
  return assertPositiveNumber(owner, option, value);
}

/** @internal Validates {@link FailureRateOptions}; `maxThroughput` caps `minimumThroughput`. */
export function failureRateSettings(
  owner: string,
  options: FailureRateOptions,
  maxThroughput: number,
): FailureRateSettings {
  const failureRateThreshold = assertRate(
    owner,
    'failureRateThreshold',
    options.failureRateThreshold ?? 0.5,
  );
  const minimumThroughput = assertInteger(
    owner,
    'minimumThroughput',
    options.minimumThroughput ?? Math.min(10, maxThroughput),
    1,
  );
  if (minimumThroughput > maxThroughput) {
    invalidOption(
      owner,
      'minimumThroughput',
      minimumThroughput,
      `an integer between 1 and the window size ${maxThroughput}`,
    );
  }
  const slowCallDurationMs =
    options.slowCallDurationMs === undefined
      ? undefined
      : assertPositiveNumber(owner, 'slowCallDurationMs', options.slowCallDurationMs);
  const slowCallRateThreshold = assertRate(
    owner,
    'slowCallRateThreshold',
    options.slowCallRateThreshold ?? 1,
  );
  return { failureRateThreshold, minimumThroughput, slowCallDurationMs, slowCallRateThreshold };
}

/** @internal The rate verdict shared by both windows. */
export function judgeRates(
  settings: FailureRateSettings,
  calls: number,
  failures: number,
  slowCalls: number,
): StrategyBreakReason | undefined {
  if (calls < settings.minimumThroughput) return undefined;
  if (failures / calls >= settings.failureRateThreshold) return 'failure-rate';
  if (
    settings.slowCallDurationMs !== undefined &&
    slowCalls / calls >= settings.slowCallRateThreshold
  ) {
    return 'slow-call-rate';
  }
  return undefined;
}
