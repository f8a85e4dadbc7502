import type { Clock, TimerHandle } from '../core/index.ts';
import type { KillSwitchTrigger } from './journal.ts';

/** When a kill switch trips on errors. */
export interface ErrorRateTrip {
  /**
   * Trip when the share of failed calls in the window exceeds this (0..1).
   * @default 0.5
   */
  readonly threshold?: number;
  /**
   * The sliding window, in milliseconds of the scope's clock.
   * @default 10000
   */
  readonly windowMs?: number;
  /**
   * Calls the window must hold before the rate is judged.
   * @default 10
   */
  readonly minCalls?: number;
}

/**
 * Options of a scope's kill switch. It stops injection at once (and releases delayed and hung
 * calls, held memory and busy threads) when the error rate of the calls passing through the
 * injector exceeds a threshold, when calls are in flight and none completes for
 * `unresponsiveMs`, or when {@link KillSwitch.trip} is called.
 */
export interface KillSwitchOptions {
  /**
   * Trip on the error rate of calls seen by the injector (injected failures included, so keep
   * the threshold above your failure rate), or `false` to never trip on errors.
   * @default { threshold: 0.5, windowMs: 10000, minCalls: 10 }
   */
  readonly errorRate?: ErrorRateTrip | false;
  /**
   * Trip when calls are in flight and none has completed for this many milliseconds, or `false`.
   * @default false
   */
  readonly unresponsiveMs?: number | false;
}

/** What the kill switch reports when it trips. */
export interface KillSwitchEvent {
  readonly scope: string;
  readonly seed: string;
  /** Milliseconds since the scope started. */
  readonly time: number;
  readonly trigger: KillSwitchTrigger;
  /** Why, in words. */
  readonly detail: string;
}

/** Resolved kill-switch settings. @internal */
export interface ResolvedKillSwitch {
  readonly errorRate: Required<ErrorRateTrip> | undefined;
  readonly unresponsiveMs: number | undefined;
}

/**
 * A scope's kill switch. Trip it by hand with {@link trip} (the CLI does on SIGUSR2); the scope
 * reports automatic trips as events.
 */
export class KillSwitch {
  readonly #options: ResolvedKillSwitch;
  readonly #clock: Clock;
  readonly #onTrip: (trigger: KillSwitchTrigger, detail: string) => void;
  #trigger: KillSwitchTrigger | undefined;
  #detail: string | undefined;
  #outcomes: { time: number; ok: boolean }[] = [];
  #failures = 0;
  #inflight = 0;
  #lastActivity = 0;
  #watchdog: TimerHandle | undefined;

  /** @internal Scopes create kill switches. */
  constructor(
    options: ResolvedKillSwitch,
    clock: Clock,
    onTrip: (trigger: KillSwitchTrigger, detail: string) => void,
  ) {
    this.#options = options;
    this.#clock = clock;
    this.#onTrip = onTrip;
  }

  /** True once it has tripped. */
  get tripped(): boolean {
    return this.#trigger !== undefined;
  }

  /** What tripped it, if it has. */
  get trigger(): KillSwitchTrigger | undefined {
    return this.#trigger;
  }

  /** Why it tripped, in words, if it has. */
  get detail(): string | undefined {
    return this.#detail;
  }

  /** True when call outcomes or call timing are needed (the scope tracks calls only then). */
  get watching(): boolean {
    return this.#options.errorRate !== undefined || this.#options.unresponsiveMs !== undefined;
  }

  /** Stops injection now; the reason is recorded and reported. Does nothing once tripped. */
  trip(detail = 'tripped by hand'): void {
    this.#fire('manual', detail);
  }

  /**
   * A call passing through the injector started. `ChaosScope.execute` calls this; an
   * interceptor that applies a plan natively calls it (and {@link callEnded}) around each call.
   */
  callStarted(): void {
    if (this.#options.unresponsiveMs === undefined || this.tripped) return;
    if (this.#inflight++ === 0) this.#lastActivity = this.#clock.now();
    this.#arm();
  }

  /** A call passing through the injector ended, successfully or not (see {@link callStarted}). */
  callEnded(ok: boolean): void {
    if (this.tripped) return;
    if (this.#options.unresponsiveMs !== undefined) {
      this.#lastActivity = this.#clock.now();
      // No timer is left behind while nothing is in flight (it would hold a real process open).
      if (--this.#inflight === 0) this.dispose();
    }
    const rule = this.#options.errorRate;
    if (rule === undefined) return;
    const now = this.#clock.now();
    this.#outcomes.push({ time: now, ok });
    if (!ok) this.#failures++;
    let drop = 0;
    while (
      drop < this.#outcomes.length &&
      (this.#outcomes[drop]?.time ?? now) <= now - rule.windowMs
    ) {
      if (this.#outcomes[drop]?.ok === false) this.#failures--;
      drop++;
    }
    if (drop > 0) this.#outcomes = this.#outcomes.slice(drop);
    const calls = this.#outcomes.length;
    if (calls >= rule.minCalls && this.#failures / calls > rule.threshold) {
      const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;
      this.#fire(
        'error-rate',
        `error rate ${pct(this.#failures / calls)} (${this.#failures} of ${calls} calls in ${rule.windowMs} ms) exceeded ${pct(rule.threshold)}`,
      );
    }
  }

  /** Clears the watchdog timer (the scope does this when it stops). */
  dispose(): void {
    if (this.#watchdog !== undefined) this.#clock.clearTimer(this.#watchdog);
    this.#watchdog = undefined;
  }

  #arm(): void {
    const limit = this.#options.unresponsiveMs;
    if (limit === undefined || this.#watchdog !== undefined || this.#inflight === 0) return;
    const wait = this.#lastActivity + limit - this.#clock.now();
    this.#watchdog = this.#clock.setTimer(Math.max(0, wait), () => {
      this.#watchdog = undefined;
      if (this.tripped || this.#inflight === 0) return;
      const idle = this.#clock.now() - this.#lastActivity;
      if (idle >= limit) {
        this.#fire(
          'unresponsive',
          `${this.#inflight} call(s) in flight and none completed for ${idle} ms (limit ${limit} ms)`,
        );
      } else {
        this.#arm();
      }
    });
  }

  #fire(trigger: KillSwitchTrigger, detail: string): void {
    if (this.#trigger !== undefined) return;
    this.#trigger = trigger;
    this.#detail = detail;
    this.dispose();
    this.#onTrip(trigger, detail);
  }
}
