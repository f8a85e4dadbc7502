import {
  Emitter,
  createRandom,
  markInjected,
  type Clock,
  type Event,
  type Random,
  type TimerHandle,
  channelNames,
} from '../core/index.ts';
import { resolveChaosConfig, type ChaosConfig, type ResolvedChaosConfig } from './config.ts';
import { frameStorage } from './frames.ts';
import {
  ChaosJournal,
  siteSnapshot,
  summariseEffect,
  type InjectionRecord,
  type KillSwitchTrigger,
  type ScopeStopRecord,
  type StopReason,
} from './journal.ts';
import { KillSwitch, type KillSwitchEvent } from './kill-switch.ts';
import { runWithCrash } from './progress.ts';
import type {
  Fault,
  FaultContext,
  FaultEffect,
  FaultEffectType,
  HeldResource,
  InjectionSite,
} from './types.ts';

/** A fault that fired on a call, with what it does and how it was journaled. */
export interface PlannedInjection {
  readonly fault: Fault;
  readonly effect: FaultEffect;
  readonly record: InjectionRecord;
}

/**
 * The faults that fired on one call, in the order to apply them (pressure, delay/hang, fail,
 * run with crash-at/interrupt, fail-after/partial-write, transform). Effects pre-empted by an
 * earlier failure are journaled as `masked` and left out. Interceptors apply these natively;
 * {@link ChaosScope.execute} applies them to any async function.
 */
export interface InjectionPlan {
  readonly site: InjectionSite;
  readonly injections: readonly PlannedInjection[];
}

/** Options of {@link ChaosScope.execute}. */
export interface ExecuteOptions {
  /**
   * The caller's signal: a delay or hang rejects with its reason as soon as it aborts.
   * @default undefined
   */
  readonly signal?: AbortSignal | undefined;
  /**
   * Faults declared at the call site (by `withChaos` or a decorator), considered after the
   * scope's own.
   * @default undefined
   */
  readonly faults?: readonly Fault[] | undefined;
}

interface FaultRuntime {
  readonly random: Random;
  readonly state: Map<string, unknown>;
  /** Injections applied in this scope (for `maxInjections`). */
  injected: number;
}

const phase: Readonly<Record<FaultEffectType, number>> = {
  pressure: 0,
  delay: 1,
  hang: 1,
  fail: 2,
  'crash-at': 3,
  interrupt: 3,
  'fail-after': 4,
  'partial-write': 4,
  transform: 5,
};

function isTerminal(effect: FaultEffect): boolean {
  return (
    effect.type === 'fail' ||
    effect.type === 'fail-after' ||
    effect.type === 'partial-write' ||
    (effect.type === 'hang' && effect.error !== undefined && effect.ms !== undefined)
  );
}

function effectError(effect: FaultEffect): Error | undefined {
  return 'error' in effect ? effect.error : undefined;
}

async function invoke<T>(run: () => T | PromiseLike<T>): Promise<T> {
  return await run();
}

/**
 * A live chaos injector: one seeded run of a {@link ChaosConfig}, with its journal, kill switch
 * and everything it holds (delayed calls, memory ballast, busy threads). `chaos.run` creates one
 * per scope and ends it when the scope ends; `ChaosEngine` creates one per test run.
 *
 * Every fault draws from its own stream, `random.fork('fault:' + name)` of the run's seed, so
 * adding a fault never shifts another's draws.
 */
export class ChaosScope {
  /** Name in events and journals. */
  readonly name: string;
  /** The run's seed. */
  readonly seed: string;
  /** The scope's clock. */
  readonly clock: Clock;
  /** `clock.now()` when the scope started. */
  readonly startedAt: number;
  /** Every injection decision, in order. */
  readonly journal: ChaosJournal;
  /** Stops injection on errors, unresponsiveness, or by hand. */
  readonly killSwitch: KillSwitch;

  readonly #config: ResolvedChaosConfig;
  readonly #root: Random;
  readonly #gate: Random;
  readonly #runtimes = new Map<Fault, FaultRuntime>();
  readonly #held = new Map<Fault, HeldResource>();
  readonly #releasers = new Set<() => void>();
  readonly #injected: Emitter<InjectionRecord>;
  readonly #killed: Emitter<KillSwitchEvent>;
  readonly #stopped: Emitter<ScopeStopRecord>;
  #seq = 0;
  #stop: ScopeStopRecord | undefined;

  /** Every injection decision as it is made (also on channel `faultline:faults:injected`). */
  readonly onInjected: Event<InjectionRecord>;
  /** The kill switch tripped (also on channel `faultline:faults:kill-switch`). */
  readonly onKillSwitch: Event<KillSwitchEvent>;
  /** The scope stopped injecting, for any reason (also on `faultline:faults:stopped`). */
  readonly onStop: Event<ScopeStopRecord>;

  /** Validates `config` (see `resolveChaosConfig`) and starts the scope's clock. */
  constructor(config: ChaosConfig | ResolvedChaosConfig) {
    const resolved =
      'probabilities' in config && config.probabilities instanceof Map
        ? (config as ResolvedChaosConfig)
        : resolveChaosConfig(config);
    this.#config = resolved;
    this.name = resolved.name;
    this.seed = resolved.seed;
    this.clock = resolved.clock;
    this.startedAt = this.clock.now();
    this.#injected = new Emitter(channelNames.faultInjected, this.name);
    this.#killed = new Emitter(channelNames.killSwitch, this.name);
    this.#stopped = new Emitter(channelNames.chaosStopped, this.name);
    this.onInjected = this.#injected.event;
    this.onKillSwitch = this.#killed.event;
    this.onStop = this.#stopped.event;
    this.#root = createRandom(this.seed);
    this.#gate = this.#root.fork('failure-rate');
    this.journal = new ChaosJournal(resolved.journal);
    this.killSwitch = new KillSwitch(resolved.killSwitch, this.clock, (trigger, detail) => {
      this.#trip(trigger, detail);
    });
    this.journal.append({
      type: 'start',
      time: 0,
      seed: this.seed,
      scope: this.name,
      enabled: resolved.enabled,
      faults: resolved.faults.map((f) => ({ name: f.name, kind: f.kind })),
    });
  }

  /** True when the config enables chaos (even if the scope has stopped since). */
  get enabled(): boolean {
    return this.#config.enabled;
  }

  /** The validated config. */
  get config(): ResolvedChaosConfig {
    return this.#config;
  }

  /** True while the scope injects: enabled, not stopped, within its duration. */
  get active(): boolean {
    if (!this.#config.enabled || this.#stop !== undefined) return false;
    return !this.#expire();
  }

  /** Why and when the scope stopped injecting, once it has. */
  get stopped(): ScopeStopRecord | undefined {
    return this.#stop;
  }

  /**
   * Decides which faults fire on a call to `site` (drawing from each fault's stream), journals
   * and reports the decisions, starts pressure effects, and returns what to apply; `undefined`
   * when nothing fires or the scope is not active.
   */
  plan(site: InjectionSite, extra?: readonly Fault[]): InjectionPlan | undefined {
    if (!this.active) return undefined;
    const config = this.#config;
    if (config.target !== undefined && !config.target(site)) return undefined;
    const now = this.clock.now();
    const fired: { fault: Fault; effect: FaultEffect }[] = [];
    let shared: { fault: Fault; context: FaultContext }[] | undefined;
    const add = (fault: Fault, effect: FaultEffect | undefined): void => {
      if (effect === undefined) return;
      if (effect.type === 'pressure' && this.#held.has(fault)) return;
      fired.push({ fault, effect });
    };
    const consider = (fault: Fault, local: boolean): void => {
      if (config.types !== undefined && !config.types.has(fault.kind)) return;
      if (fault.target !== undefined && !fault.target(site)) return;
      const context = this.#context(fault, site, now, local);
      const max = fault.maxInjections;
      if (max !== undefined && (this.#runtimes.get(fault) as FaultRuntime).injected >= max) return;
      const sticky = fault.sticky?.(context);
      if (sticky !== undefined) {
        add(fault, sticky);
        return;
      }
      const p =
        fault.probability ??
        config.probabilities.get(fault.name) ??
        config.probabilities.get(fault.kind);
      if (p === undefined) (shared ??= []).push({ fault, context });
      else if (context.random.chance(p)) add(fault, fault.effect(context));
    };
    for (const fault of config.faults) consider(fault, false);
    if (extra !== undefined) for (const fault of extra) consider(fault, true);
    if (shared !== undefined && this.#gate.chance(config.failureRate)) {
      const chosen = shared.length === 1 ? shared[0] : this.#gate.pick(shared);
      if (chosen !== undefined) add(chosen.fault, chosen.fault.effect(chosen.context));
    }
    if (fired.length === 0) return undefined;
    if (fired.length > 1) fired.sort((a, b) => phase[a.effect.type] - phase[b.effect.type]);
    return this.#record(site, now, fired);
  }

  /**
   * Runs `run` as a call to `site` under this scope: plans it, applies the effects that fired
   * and records the outcome for the kill switch. When the scope stops mid-call (kill switch,
   * duration, end), pending delays and hangs end at once and the call proceeds normally.
   *
   * @example
   * ```ts
   * const answer = await scope.execute({ operation: 'tool:search', tool: 'search' }, () =>
   *   search(query),
   * );
   * ```
   */
  execute<T>(
    site: InjectionSite,
    run: () => T | PromiseLike<T>,
    options: ExecuteOptions = {},
  ): Promise<T> {
    const plan = this.plan(site, options.faults);
    const work = plan === undefined ? invoke(run) : this.#apply(plan, run, options.signal);
    if (!this.killSwitch.watching || !this.#config.enabled || this.#stop !== undefined) return work;
    const killSwitch = this.killSwitch;
    killSwitch.callStarted();
    return work.then(
      (value) => {
        killSwitch.callEnded(true);
        return value;
      },
      (error: unknown) => {
        killSwitch.callEnded(false);
        throw error;
      },
    );
  }

  /**
   * Waits `ms` on the scope's clock (`undefined`: until `signal` aborts). Resolves `true` when
   * the wait ran its course, `false` when the scope stopped first (normal operation resumes);
   * rejects with `signal.reason` when the caller gives up. Interceptors use it for delays and
   * hangs.
   */
  wait(ms: number | undefined, signal?: AbortSignal): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason as Error);
        return;
      }
      if (!this.active) {
        resolve(false);
        return;
      }
      const clock = this.clock;
      const duration = this.#config.durationMs;
      const remaining = duration === undefined ? Infinity : this.startedAt + duration - clock.now();
      let timer: TimerHandle | undefined;
      const cleanup = (): void => {
        if (timer !== undefined) clock.clearTimer(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#releasers.delete(release);
      };
      const onAbort = (): void => {
        cleanup();
        reject(signal?.reason as Error);
      };
      const release = (): void => {
        cleanup();
        resolve(false);
      };
      const wanted = ms ?? Infinity;
      if (wanted <= remaining) {
        if (Number.isFinite(wanted)) {
          timer = clock.setTimer(wanted, () => {
            cleanup();
            resolve(true);
          });
        }
      } else {
        timer = clock.setTimer(remaining, () => {
          cleanup();
          resolve(false);
          this.#expire(); // records the stop at the duration's end and releases the rest
        });
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#releasers.add(release);
    });
  }

  /**
   * Ends the scope: injection stops, delayed and hung calls proceed, held memory and threads are
   * released. Recorded as `duration` if the duration had already run out, else `scope-end`.
   */
  end(): void {
    if (this.active) this.#stopWith('scope-end', 'the scope ended');
  }

  /** Stops the scope because its caller aborted. */
  abort(detail = 'the scope was aborted'): void {
    if (this.active) this.#stopWith('aborted', detail);
  }

  /** Same as {@link end}. */
  [Symbol.dispose](): void {
    this.end();
  }

  /** Stops the scope if its duration has run out; true when it has. */
  #expire(): boolean {
    const duration = this.#config.durationMs;
    if (duration === undefined || this.clock.now() - this.startedAt < duration) return false;
    this.#stopWith('duration', `duration of ${duration} ms elapsed`, undefined, duration);
    return true;
  }

  #context(fault: Fault, site: InjectionSite, now: number, local: boolean): FaultContext {
    let runtime = this.#runtimes.get(fault);
    if (runtime === undefined) {
      const label = local ? `fault:${fault.name}@${site.operation}` : `fault:${fault.name}`;
      runtime = { random: this.#root.fork(label), state: new Map(), injected: 0 };
      this.#runtimes.set(fault, runtime);
    }
    return {
      site,
      random: runtime.random,
      clock: this.clock,
      now,
      seed: this.seed,
      state: runtime.state,
    };
  }

  #record(
    site: InjectionSite,
    now: number,
    fired: readonly { fault: Fault; effect: FaultEffect }[],
  ): InjectionPlan {
    const target = siteSnapshot(site);
    const time = now - this.startedAt;
    const frame = frameStorage.getStore();
    const operation = frame?.scope === this ? frame.operation : undefined;
    const injections: PlannedInjection[] = [];
    let terminal = false;
    for (const { fault, effect } of fired) {
      const error = effectError(effect);
      if (error !== undefined)
        markInjected(error, { fault: fault.name, kind: fault.kind, seed: this.seed });
      const record: InjectionRecord = {
        type: 'injection',
        seq: ++this.#seq,
        time,
        seed: this.seed,
        fault: fault.name,
        kind: fault.kind,
        target,
        effect: summariseEffect(effect),
        outcome: terminal ? 'masked' : 'injected',
      };
      this.journal.append(record);
      if (this.#injected.active) this.#injected.emit(record);
      if (!terminal) {
        const runtime = this.#runtimes.get(fault);
        if (runtime !== undefined) runtime.injected++;
        injections.push({ fault, effect, record });
        operation?.injections.push(record);
        if (effect.type === 'pressure') this.#hold(fault, effect);
      }
      terminal ||= isTerminal(effect);
    }
    return { site, injections };
  }

  #hold(fault: Fault, effect: Extract<FaultEffect, { type: 'pressure' }>): void {
    const resource = effect.acquire();
    const duration = this.#config.durationMs;
    const remaining =
      duration === undefined ? Infinity : this.startedAt + duration - this.clock.now();
    const release = (): void => {
      this.clock.clearTimer(timer);
      this.#releasers.delete(release);
      this.#held.delete(fault);
      resource.release();
    };
    const timer = this.clock.setTimer(Math.min(effect.durationMs, remaining), release);
    this.#held.set(fault, resource);
    this.#releasers.add(release);
  }

  async #apply<T>(
    plan: InjectionPlan,
    run: () => T | PromiseLike<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    let crash: { progress: number; error: Error } | undefined;
    let interrupt: { afterMs: number; error: Error } | undefined;
    const after: FaultEffect[] = [];
    for (const { effect } of plan.injections) {
      if (!this.active) break;
      switch (effect.type) {
        case 'pressure':
          break;
        case 'delay':
          await this.wait(effect.ms, signal);
          break;
        case 'hang':
          if ((await this.wait(effect.ms, signal)) && effect.error !== undefined)
            throw effect.error;
          break;
        case 'fail':
          throw effect.error;
        case 'crash-at':
          if (crash === undefined || effect.progress < crash.progress) crash = effect;
          break;
        case 'interrupt':
          if (interrupt === undefined || effect.afterMs < interrupt.afterMs) interrupt = effect;
          break;
        default:
          after.push(effect);
      }
    }
    let work: Promise<T>;
    if (crash !== undefined && this.active) {
      const { progress, error } = crash;
      work = runWithCrash(progress, error, () => this.active, run).then((value) => {
        // The work finished without reporting that far (or swallowed the crash): it still died.
        if (this.active) throw error;
        return value;
      });
    } else {
      work = invoke(run);
    }
    if (interrupt !== undefined && this.active) work = this.#interrupt(work, interrupt);
    let value: unknown = await work;
    for (const effect of after) {
      if (!this.active) break;
      if (effect.type === 'fail-after' || effect.type === 'partial-write') throw effect.error;
      if (effect.type === 'transform') value = effect.transform(value);
    }
    return value as T;
  }

  #interrupt<T>(work: Promise<T>, effect: { afterMs: number; error: Error }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const release = (): void => {
        this.clock.clearTimer(timer);
        this.#releasers.delete(release);
      };
      const timer = this.clock.setTimer(effect.afterMs, () => {
        this.#releasers.delete(release);
        if (this.active) reject(effect.error);
      });
      this.#releasers.add(release);
      work.finally(release).then(resolve, reject);
    });
  }

  #trip(trigger: KillSwitchTrigger, detail: string): void {
    if (this.#stop !== undefined) return;
    const time = this.clock.now() - this.startedAt;
    this.#stopWith('kill-switch', detail, trigger);
    if (this.#killed.active) {
      this.#killed.emit({ scope: this.name, seed: this.seed, time, trigger, detail });
    }
  }

  #stopWith(
    reason: StopReason,
    detail: string,
    trigger?: KillSwitchTrigger,
    time = this.clock.now() - this.startedAt,
  ): void {
    if (this.#stop !== undefined) return;
    const record: ScopeStopRecord =
      trigger === undefined
        ? { type: 'stop', time, seed: this.seed, reason, detail }
        : { type: 'stop', time, seed: this.seed, reason, trigger, detail };
    this.#stop = record;
    this.journal.append(record);
    this.killSwitch.dispose();
    for (const release of [...this.#releasers]) release();
    if (this.#stopped.active) this.#stopped.emit(record);
  }
}

/**
 * Creates a {@link ChaosScope} that lives until you end it: for wrappers that carry their own
 * chaos (`withChaos(fn, { scope })`) and for interceptors.
 */
export function createChaosScope(config: ChaosConfig): ChaosScope {
  return new ChaosScope(config);
}
