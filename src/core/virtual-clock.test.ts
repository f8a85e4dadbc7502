import { describe, expect, it } from 'vitest';
import { isInvalidOptionError } from './errors/index.ts';
import { VirtualClock } from './virtual-clock.ts';

describe('VirtualClock', () => {
  it('starts at the given time and moves only when told', async () => {
    const clock = new VirtualClock({ start: 1_000 });
    expect(clock.now()).toBe(1_000);
    await clock.advance(250);
    expect(clock.now()).toBe(1_250);
  });

  it('fires timers in time order, ties in creation order', async () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.setTimer(30, () => fired.push('c@30'));
    clock.setTimer(10, () => fired.push('a@10'));
    clock.setTimer(10, () => fired.push('b@10'));
    clock.setTimer(20, () => fired.push('x@20'));
    await clock.runUntilIdle();
    expect(fired).toEqual(['a@10', 'b@10', 'x@20', 'c@30']);
    expect(clock.now()).toBe(30);
  });

  it('advance() fires only timers due within the window and ends at now + ms', async () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    clock.setTimer(5, () => fired.push(clock.now()));
    clock.setTimer(15, () => fired.push(clock.now()));
    await clock.advance(10);
    expect(fired).toEqual([5]);
    expect(clock.now()).toBe(10);
    expect(clock.pending).toBe(1);
    await clock.advance(5);
    expect(fired).toEqual([5, 15]);
  });

  it('lets continuations of a fired timer schedule new timers before the next fires', async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    const agent = async (name: string, step: number): Promise<void> => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(step);
        log.push(`${name}${i}@${clock.now()}`);
      }
    };
    const both = Promise.all([agent('a', 10), agent('b', 15)]);
    await clock.runUntilIdle();
    await both;
    // b's 30 ms timer was created (at 15) before a's (at 20), so it fires first.
    expect(log).toEqual(['a0@10', 'b0@15', 'a1@20', 'b1@30', 'a2@30', 'b2@45']);
  });

  it('clearTimer() cancels and is idempotent', async () => {
    const clock = new VirtualClock();
    let calls = 0;
    const handle = clock.setTimer(10, () => calls++);
    clock.clearTimer(handle);
    clock.clearTimer(handle);
    expect(clock.pending).toBe(0);
    await clock.runUntilIdle();
    expect(calls).toBe(0);
    expect(clock.now()).toBe(0);
  });

  it('next() fires one timer and reports whether there was one', async () => {
    const clock = new VirtualClock();
    clock.setTimer(7, () => undefined);
    expect(clock.peek()).toBe(7);
    expect(await clock.next()).toBe(true);
    expect(clock.now()).toBe(7);
    expect(await clock.next()).toBe(false);
  });

  it('sleep() rejects with the signal reason on abort and removes its timer', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(1_000, controller.signal);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(clock.pending).toBe(0);
    await expect(clock.sleep(5, controller.signal)).rejects.toBe(reason);
  });

  it('run() drives time until the work settles and returns its value', async () => {
    const clock = new VirtualClock();
    const value = await clock.run(async () => {
      await clock.sleep(60_000);
      await clock.sleep(30_000);
      return clock.now();
    });
    expect(value).toBe(90_000);
  });

  it('run() propagates the work error', async () => {
    const clock = new VirtualClock();
    await expect(
      clock.run(async () => {
        await clock.sleep(10);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });

  it('run() waits through real I/O with no timer pending', async () => {
    const clock = new VirtualClock();
    const value = await clock.run(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      await clock.sleep(5);
      return 'done';
    });
    expect(value).toBe('done');
  });

  it('runUntilIdle() throws on a timer that reschedules itself forever', async () => {
    const clock = new VirtualClock({ maxTimers: 100 });
    const again = (): void => {
      clock.setTimer(1, again);
    };
    again();
    await expect(clock.runUntilIdle()).rejects.toThrow(/more than 100 timers/);
  });

  it('rejects bad options with the option name and value', async () => {
    expect(() => new VirtualClock({ start: Number.NaN })).toThrow(
      "VirtualClock: option 'start' must be a finite number, got NaN",
    );
    const clock = new VirtualClock();
    const error: unknown = await clock.advance(-1).catch((e: unknown) => e);
    expect(isInvalidOptionError(error)).toBe(true);
  });

  it('treats negative and NaN delays as zero', async () => {
    const clock = new VirtualClock({ start: 100 });
    const order: number[] = [];
    clock.setTimer(-5, () => order.push(1));
    clock.setTimer(Number.NaN, () => order.push(2));
    await clock.runUntilIdle();
    expect(order).toEqual([1, 2]);
    expect(clock.now()).toBe(100);
  });
});
