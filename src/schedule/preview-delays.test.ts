import { describe, expect, it } from 'vitest';
import { createRandom } from '../core/index.ts';
import { previewDelays } from './preview-delays.ts';
import type { ScheduleInput } from './types.ts';

describe('previewDelays', () => {
  it('drives a schedule as a retry policy would', () => {
    const seen: ScheduleInput[] = [];
    const delays = previewDelays(
      (input) => {
        seen.push(input);
        return input.attempt * 10;
      },
      { failures: 3, attemptMs: 5, startMs: 1000, error: 'boom' },
    );
    expect(delays).toEqual([10, 20, 30]);
    expect(seen.map((s) => [s.attempt, s.elapsedMs, s.nowMs, s.previousDelayMs, s.error])).toEqual([
      [1, 0, 1000, 0, 'boom'],
      [2, 15, 1015, 10, 'boom'],
      [3, 40, 1040, 20, 'boom'],
    ]);
  });

  it('accepts a Random or a seed', () => {
    const jitter = ({ random }: ScheduleInput) => random.next();
    expect(previewDelays(jitter, { random: createRandom(5), failures: 3 })).toEqual(
      previewDelays(jitter, { random: 5, failures: 3 }),
    );
  });

  it('rejects bad options', () => {
    expect(() => previewDelays(() => 1, { failures: -1 })).toThrow(/'failures'/);
  });
});
