import { describe, expect, it } from 'vitest';
import { constant } from './constant.ts';
import { exponential } from './exponential.ts';
import { previewDelays } from './preview-delays.ts';
import { upTo } from './up-to.ts';

describe('upTo', () => {
  it('counts attempts like maxAttempts: attempts 3 allows two retries', () => {
    expect(previewDelays(upTo({ attempts: 3 }, constant(100)))).toEqual([100, 100]);
    expect(previewDelays(upTo({ attempts: 1 }, constant(100)))).toEqual([]);
  });

  it('stops when the next delay would end after durationMs since the first failure', () => {
    // elapsed before each decision: 0, 100, 300, 700; the 4th delay (800) would end at 1500.
    expect(previewDelays(upTo({ durationMs: 1000 }, exponential({ initialDelayMs: 100 })))).toEqual(
      [100, 200, 400],
    );
  });

  it('counts the attempts themselves in the duration', () => {
    expect(previewDelays(upTo({ durationMs: 1000 }, constant(100)), { attemptMs: 400 })).toEqual([
      100, 100,
    ]);
  });

  it('allows a delay ending exactly at the limit', () => {
    expect(previewDelays(upTo({ durationMs: 300 }, constant(100)))).toEqual([100, 100, 100]);
  });

  it('applies whichever limit comes first', () => {
    expect(previewDelays(upTo({ attempts: 3, durationMs: 10_000 }, constant(100)))).toHaveLength(2);
    expect(previewDelays(upTo({ attempts: 30, durationMs: 250 }, constant(100)))).toHaveLength(2);
  });

  it('stops when the wrapped schedule stops', () => {
    expect(previewDelays(upTo({ attempts: 10 }, upTo({ attempts: 2 }, constant(1))))).toEqual([1]);
  });

  it('rejects bad limits', () => {
    expect(() => upTo({} as never, constant(1))).toThrow(/upTo: option 'limit'/);
    expect(() => upTo({ attempts: 0 }, constant(1))).toThrow(
      "upTo: option 'attempts' must be an integer >= 1 or Infinity, got 0",
    );
    expect(() => upTo({ attempts: 2.5 }, constant(1))).toThrow(/'attempts'/);
    expect(() => upTo({ durationMs: -1 }, constant(1))).toThrow(/'durationMs'.*-1/);
    expect(() => upTo({ attempts: 2 }, undefined as never)).toThrow(/'schedule'/);
  });
});
