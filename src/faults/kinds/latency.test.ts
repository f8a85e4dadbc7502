import { describe, expect, it } from 'vitest';
import { VirtualClock, createRandom } from '../../core/index.ts';
import { createFault } from '../registry.ts';
import { ChaosScope } from '../scope.ts';
import { createLatencySampler } from './latency.ts';

function samples(options: Parameters<typeof createLatencySampler>[0], n = 2000): number[] {
  const sample = createLatencySampler(options);
  const random = createRandom('latency');
  return Array.from({ length: n }, () => sample(random));
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('latency fault', () => {
  it('fixed', () => {
    expect(new Set(samples({ ms: 120 }, 50))).toEqual(new Set([120]));
  });

  it('uniform jitter stays within ms ± jitter and spreads', () => {
    const xs = samples({ ms: 100, jitterMs: 40 });
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(60);
    expect(Math.max(...xs)).toBeLessThanOrEqual(140);
    expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(70);
    expect(mean(xs)).toBeCloseTo(100, -1);
  });

  it('normal is centred on ms with the given spread, never negative', () => {
    const xs = samples({ ms: 200, distribution: 'normal', stdDevMs: 50 });
    expect(mean(xs)).toBeGreaterThan(190);
    expect(mean(xs)).toBeLessThan(210);
    const sd = Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
    expect(sd).toBeGreaterThan(42);
    expect(sd).toBeLessThan(58);
    expect(Math.min(...samples({ ms: 10, distribution: 'normal', stdDevMs: 50 }))).toBe(0);
  });

  it('pareto has its minimum at ms and a heavy, capped tail', () => {
    const xs = samples({ ms: 100, distribution: 'pareto', shape: 1.2, maxMs: 5000 });
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...xs)).toBeLessThanOrEqual(5000);
    const sorted = xs.slice().sort((a, b) => a - b);
    const median = sorted[1000] ?? 0;
    const p99 = sorted[1980] ?? 0;
    expect(p99 / median).toBeGreaterThan(10);
  });

  it('delays the call on the scope clock', async () => {
    const clock = new VirtualClock();
    const scope = new ChaosScope({
      enabled: true,
      seed: 3,
      clock,
      faults: [{ kind: 'delay', ms: 1500, probability: 1 }],
    });
    let startedAt = -1;
    await clock.run(
      scope.execute({ operation: 'llm' }, () => {
        startedAt = clock.now();
      }),
    );
    expect(startedAt).toBe(1500);
    expect(scope.journal.injections[0]?.effect).toEqual({ type: 'delay', ms: 1500 });
  });

  it('rejects bad options with the field named', () => {
    expect(() => createFault({ kind: 'latency', ms: -1 })).toThrow(/option 'ms' must be/);
    expect(() => createFault({ kind: 'latency', distribution: 'poisson' })).toThrow(
      "option 'distribution' must be one of 'fixed', 'uniform', 'normal', 'pareto', got \"poisson\"",
    );
    expect(() => createFault({ kind: 'latency', shape: 0 })).toThrow(/option 'shape' must be/);
  });
});
