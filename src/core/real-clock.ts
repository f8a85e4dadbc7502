import { sleepOn, type Clock, type TimerHandle } from './clock.ts';

const origin = performance.timeOrigin;

/**
 * The process's clock: epoch milliseconds that never go backwards (`performance.timeOrigin +
 * performance.now()`), and Node's own timers.
 */
export const realClock: Clock = {
  now: () => origin + performance.now(),
  sleep(ms, signal) {
    return sleepOn(realClock, ms, signal);
  },
  setTimer(ms, callback) {
    return setTimeout(callback, Math.max(0, ms)) as unknown as TimerHandle;
  },
  clearTimer(handle) {
    clearTimeout(handle as unknown as NodeJS.Timeout);
  },
};
