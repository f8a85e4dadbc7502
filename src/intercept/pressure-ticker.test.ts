import { describe, expect, it } from 'vitest';
import { isInvalidOptionError, VirtualClock } from '../core/index.ts';
import { chaos, type ChaosConfig } from '../faults/index.ts';
import { startPressureTicker } from './pressure-ticker.ts';

const config = (clock: VirtualClock): ChaosConfig => ({
  enabled: true,
  seed: 'pressure',
  clock,
  killSwitch: false,
  faults: [
    {
      kind: 'memory',
      mode: 'pressure',
      mib: 1,
      durationMs: 100,
      probability: 1,
      target: { operation: 'pressure' },
    },
  ],
});

describe('startPressureTicker', () => {
  it('starts pressure at once and again each time the previous one is released', async () => {
    const clock = new VirtualClock();
    const times = await chaos.run(config(clock), async ({ scope }) => {
      const ticker = startPressureTicker({ everyMs: 50 });
      expect(ticker.running).toBe(true);
      await clock.advance(250);
      ticker.stop();
      expect(ticker.running).toBe(false);
      return scope.journal.injections.map((i) => [i.time, i.effect.type, i.target.operation]);
    });
    // Held 0-100, 100-200, 200-300; the ticks at 50, 150 and 250 find it held.
    expect(times).toEqual([
      [0, 'pressure', 'pressure'],
      [100, 'pressure', 'pressure'],
      [200, 'pressure', 'pressure'],
    ]);
    expect(clock.pending).toBe(0); // the scope's end released the ballast
  });

  it('stops by itself when its scope stops', async () => {
    const clock = new VirtualClock();
    let ticker: ReturnType<typeof startPressureTicker> | undefined;
    await chaos.run(config(clock), () => {
      ticker = startPressureTicker({ everyMs: 10 });
    });
    expect(ticker?.running).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('does nothing outside a chaos scope', () => {
    const ticker = startPressureTicker();
    expect(ticker.running).toBe(false);
  });

  it('rejects a non-positive interval', () => {
    let error: unknown;
    try {
      startPressureTicker({ everyMs: 0 });
    } catch (e) {
      error = e;
    }
    expect(isInvalidOptionError(error)).toBe(true);
    expect((error as Error).message).toMatch(/startPressureTicker.*everyMs.*0/);
  });
});
