import { assertPositiveNumber, type TimerHandle } from '../core/index.ts';
import { chaos } from '../faults/index.ts';

/** Options of {@link startPressureTicker}. */
export interface PressureTickerOptions {
  /**
   * How often the scope is asked, in milliseconds of its clock.
   * @default 1000
   */
  readonly everyMs?: number;
  /**
   * The `operation` of the site the scope is asked about; target pressure faults at it.
   * @default 'pressure'
   */
  readonly operation?: string;
}

/** Stops a {@link startPressureTicker}. */
export interface PressureTicker {
  /** True until stopped (by {@link stop} or because its scope stopped). */
  readonly running: boolean;
  /** Stops asking; what is held stays held until its duration or the scope ends. */
  stop(): void;
}

/**
 * Memory and CPU pressure need no call to ride on: a `memory` fault in `pressure` mode holds a
 * real ballast, a `cpu` fault real busy threads, from the moment the scope plans a call it fires
 * on. Every intercepted call is such a moment; this adds a steady one. It asks the chaos scope in
 * effect now about a site `{ operation: 'pressure' }` at once and then every `everyMs` on the
 * scope's clock, until the scope stops or {@link PressureTicker.stop} is called. A fault already
 * holding its pressure is not started twice; once released, a later tick may start it again.
 *
 * Any fault matching the site fires on it (and is journaled), so target the pressure faults at
 * the ticker's operation, or keep other faults off it.
 *
 * @example
 * ```ts
 * await chaos.run(
 *   { enabled: true, faults: [{ kind: 'memory', mode: 'pressure', mib: 256, durationMs: 5000,
 *     probability: 0.5, target: { operation: 'pressure' } }] },
 *   async () => {
 *     startPressureTicker({ everyMs: 1000 });
 *     await agent.run(task); // runs with 256 MiB held about half of the time
 *   },
 * );
 * ```
 */
export function startPressureTicker(options: PressureTickerOptions = {}): PressureTicker {
  const everyMs = assertPositiveNumber('startPressureTicker', 'everyMs', options.everyMs ?? 1000);
  const operation = options.operation ?? 'pressure';
  const scope = chaos.current();
  let running = scope !== undefined && scope.active;
  let timer: TimerHandle | undefined;
  const stop = (): void => {
    running = false;
    if (timer !== undefined) scope?.clock.clearTimer(timer);
    timer = undefined;
    subscription?.dispose();
  };
  const subscription = running ? scope?.onStop(stop) : undefined;
  const tick = (): void => {
    timer = undefined;
    if (scope === undefined || !running) return;
    if (!scope.active) {
      stop();
      return;
    }
    scope.plan({ operation });
    timer = scope.clock.setTimer(everyMs, tick);
  };
  tick();
  return {
    get running() {
      return running;
    },
    stop,
  };
}
