import type { Random } from '../../core/index.ts';
import type { SpecReader } from '../spec-reader.ts';
import type { FaultFactory, FaultSpec } from '../types.ts';

/** How a `latency` fault draws its delays. */
export type LatencyDistribution = 'fixed' | 'uniform' | 'normal' | 'pareto';

/** Options of {@link createLatencySampler} (and the fields of a `latency` fault). */
export interface LatencyOptions {
  /**
   * The delay (`fixed`), the centre (`uniform`), the mean (`normal`) or the minimum and scale
   * (`pareto`), in milliseconds.
   * @default 1000
   */
  readonly ms?: number;
  /**
   * The shape of the delays.
   * @default 'uniform' when `jitterMs` is set, else 'fixed'
   */
  readonly distribution?: LatencyDistribution;
  /**
   * `uniform`: delays spread evenly over `ms ± jitterMs` (never below 0).
   * @default 0
   */
  readonly jitterMs?: number;
  /**
   * `normal`: the standard deviation (delays below 0 become 0).
   * @default ms / 4
   */
  readonly stdDevMs?: number;
  /**
   * `pareto`: the tail index; smaller means a heavier tail (1.16 gives the 80/20 rule).
   * @default 1.5
   */
  readonly shape?: number;
  /**
   * Upper bound of every delay.
   * @default 100 × ms for `pareto`, none otherwise
   */
  readonly maxMs?: number;
}

/** Spec of a `latency` fault: the call is delayed on the scope's clock, then runs. */
export interface LatencyFaultSpec extends FaultSpec, LatencyOptions {
  readonly kind: 'latency';
}

/**
 * A function drawing delays (whole milliseconds) from `random` as `options` describe. The
 * `latency` fault uses it; so can proxies and simulations.
 *
 * @example
 * ```ts
 * const sample = createLatencySampler({ ms: 200, distribution: 'pareto', shape: 1.2 });
 * sample(createRandom(1)); // 200 or more, now and then much more
 * ```
 */
export function createLatencySampler(options: LatencyOptions): (random: Random) => number {
  const ms = options.ms ?? 1000;
  const distribution =
    options.distribution ?? (options.jitterMs === undefined ? 'fixed' : 'uniform');
  const cap = options.maxMs ?? (distribution === 'pareto' ? ms * 100 : Infinity);
  const clamp = (x: number): number => Math.round(Math.min(cap, Math.max(0, x)));
  switch (distribution) {
    case 'fixed':
      return () => clamp(ms);
    case 'uniform': {
      const jitter = options.jitterMs ?? 0;
      return (random) => clamp(jitter === 0 ? ms : random.float(ms - jitter, ms + jitter));
    }
    case 'normal': {
      const sd = options.stdDevMs ?? ms / 4;
      return (random) => {
        // Box-Muller; 1 - next() lies in (0, 1], so the logarithm is finite.
        const u1 = 1 - random.next();
        const u2 = random.next();
        return clamp(ms + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
      };
    }
    case 'pareto': {
      const shape = options.shape ?? 1.5;
      return (random) => clamp(ms / Math.pow(1 - random.next(), 1 / shape));
    }
  }
}

/** Reads and validates the latency fields of a spec. */
export function readLatencyOptions(read: SpecReader): LatencyOptions {
  const options: {
    -readonly [K in keyof LatencyOptions]: LatencyOptions[K];
  } = {};
  const ms = read.number('ms', { min: 0 });
  const distribution = read.oneOf('distribution', ['fixed', 'uniform', 'normal', 'pareto']);
  const jitterMs = read.number('jitterMs', { min: 0 });
  const stdDevMs = read.number('stdDevMs', { min: 0 });
  const shape = read.number('shape', { min: 0, exclusiveMin: true });
  const maxMs = read.number('maxMs', { min: 0 });
  if (ms !== undefined) options.ms = ms;
  if (distribution !== undefined) options.distribution = distribution;
  if (jitterMs !== undefined) options.jitterMs = jitterMs;
  if (stdDevMs !== undefined) options.stdDevMs = stdDevMs;
  if (shape !== undefined) options.shape = shape;
  if (maxMs !== undefined) options.maxMs = maxMs;
  return options;
}

/** Factory of the `latency` kind. */
export const latencyFault: FaultFactory = (read) => {
  const sample = createLatencySampler(readLatencyOptions(read));
  return { effect: ({ random }) => ({ type: 'delay', ms: sample(random) }) };
};
