import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { channelNames, type Clock, type Subscription } from '../../core/index.ts';
import type { PolicyEventRecord, PolicyReactionType } from '../scenarios/index.ts';

/** What the runner knows about the run a piece of code belongs to. @internal */
export interface RunFrame {
  readonly runId: string;
  /** The campaign (or replay) that started the run: its observer records only its own runs. */
  readonly owner: object;
  readonly clock: Clock;
  readonly startedAt: number;
  readonly policyEvents: PolicyEventRecord[];
}

/** The run in whose async context code runs. @internal */
export const runStorage = new AsyncLocalStorage<RunFrame>();

/** The run `owner` is running here, if any. @internal */
export function currentRunOf(owner: object): string | undefined {
  const frame = runStorage.getStore();
  return frame?.owner === owner ? frame.runId : undefined;
}

type Reader = (event: Readonly<Record<string, unknown>>) => {
  value: number | undefined;
  attempt: number | undefined;
};

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

const reactions: readonly [string, PolicyReactionType, Reader][] = [
  [channelNames.retry, 'retry', (e) => ({ value: num(e.delayMs), attempt: num(e.attempt) })],
  [
    channelNames.retryGiveUp,
    'retry-give-up',
    (e) => ({ value: num(e.attempts), attempt: num(e.attempts) }),
  ],
  [channelNames.timeout, 'timeout', (e) => ({ value: num(e.timeoutMs), attempt: undefined })],
  [channelNames.circuitBreak, 'circuit-break', () => ({ value: undefined, attempt: undefined })],
  [
    channelNames.circuitRejected,
    'circuit-rejected',
    () => ({ value: undefined, attempt: undefined }),
  ],
  [
    channelNames.loopDetected,
    'loop-detected',
    (e) => ({ value: num(e.repetitions), attempt: undefined }),
  ],
  [
    channelNames.budgetExceeded,
    'budget-exceeded',
    (e) => ({ value: num(e.used), attempt: undefined }),
  ],
  [
    channelNames.bulkheadRejected,
    'bulkhead-rejected',
    () => ({ value: undefined, attempt: undefined }),
  ],
  [channelNames.fallback, 'fallback', (e) => ({ value: num(e.index), attempt: undefined })],
];

/**
 * Records the policies' reactions (retries, timeouts, breaker trips, loop and budget refusals,
 * ...) into the frame of the run they happen in, for the runs `owner` starts. Dispose to stop.
 * @internal
 */
export function observePolicies(owner: object): Subscription {
  const listeners: [string, (message: unknown) => void][] = [];
  for (const [name, type, read] of reactions) {
    const listener = (message: unknown): void => {
      const frame = runStorage.getStore();
      if (frame?.owner !== owner) return;
      const m = message as { source?: unknown; event?: unknown };
      const event =
        typeof m.event === 'object' && m.event !== null
          ? (m.event as Readonly<Record<string, unknown>>)
          : {};
      const { value, attempt } = read(event);
      frame.policyEvents.push({
        type,
        source: typeof m.source === 'string' ? m.source : undefined,
        elapsedMs: frame.clock.now() - frame.startedAt,
        value,
        attempt,
      });
    };
    subscribe(name, listener);
    listeners.push([name, listener]);
  }
  let done = false;
  const dispose = (): void => {
    if (done) return;
    done = true;
    for (const [name, listener] of listeners) unsubscribe(name, listener);
  };
  return { dispose, [Symbol.dispose]: dispose };
}

/**
 * The clock a run sees in virtual time: the shared clock, with every timer callback run in the
 * frame of the run that set it. A shared `VirtualClock` fires timers from the code driving it,
 * outside any run; this way a timeout that fires reports its event in its own run's frame, so
 * policy events are attributed to the right run whoever drives time.
 * @internal
 */
export function contextBoundClock(clock: Clock): Clock {
  return {
    now: () => clock.now(),
    sleep: (ms, signal) => clock.sleep(ms, signal),
    setTimer: (ms, callback) => {
      // Only the run's frame is restored: AsyncLocalStorage.bind/snapshot cost an async
      // resource per timer, and awaits restore every other store by themselves.
      const frame = runStorage.getStore();
      if (frame === undefined) return clock.setTimer(ms, callback);
      return clock.setTimer(ms, () => {
        runStorage.run(frame, callback);
      });
    },
    clearTimer: (handle) => {
      clock.clearTimer(handle);
    },
  };
}
