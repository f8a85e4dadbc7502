import { channelNames } from '../core/index.ts';
import {
  errorText,
  num,
  payload,
  str,
  type BudgetExceededPayload,
  type BudgetUsagePayload,
  type BulkheadRejectedPayload,
  type ChaosStoppedPayload,
  type CircuitBreakPayload,
  type CircuitResetPayload,
  type CircuitStateChangePayload,
  type FallbackPayload,
  type HedgePayload,
  type InjectionPayload,
  type KillSwitchPayload,
  type LoopDetectedPayload,
  type RateLimitedPayload,
  type RetryGiveUpPayload,
  type RetryPayload,
  type RetrySuccessPayload,
  type TimeoutPayload,
  type Untrusted,
} from './channel-payloads.ts';
import type {
  BreakerFigures,
  BreakerState,
  BreakerTransition,
  FaultFigures,
  KillSwitchTrip,
  MetricsEventCategory,
  PolicyFigures,
} from './types.ts';

/** What a channel message adds to the event log (the recorder stamps seq, time and run). @internal */
export interface EventDraft {
  readonly category: MetricsEventCategory;
  readonly type: string;
  readonly source: string | null;
  readonly agent: string | null;
  readonly kind: string | null;
  readonly value: number | null;
  readonly detail: string;
}

const keyByChannel = new Map<string, string>(
  Object.entries(channelNames).map(([key, name]) => [name, key]),
);

/** The counter key of a channel: its key in `channelNames`, else its full name. @internal */
export function counterKey(channel: string): string {
  return keyByChannel.get(channel) ?? channel;
}

const maxSources = 500;
const maxTransitions = 100;
const maxKillSwitchTrips = 100;

interface BreakerCounts {
  state: string;
  since: number | null;
  trips: number;
  halfOpens: number;
  resets: number;
  rejections: number;
  successes: number;
  failures: number;
  openMs: number;
  transitions: BreakerTransition[];
}

function bump(record: Record<string, number>, key: string, n = 1): void {
  record[key] = (record[key] ?? 0) + n;
}

/**
 * `key=value` for the first primitive fields of an event metrics does not interpret (strings
 * cut short): readable in a log line, and cheap however large the event.
 */
function describeFields(event: unknown): string {
  if (typeof event !== 'object' || event === null) return errorText(event);
  const parts: string[] = [];
  for (const [key, value] of Object.entries(event)) {
    if (parts.length === 8) break;
    if (typeof value === 'string') {
      parts.push(`${key}=${value.length > 60 ? `${value.slice(0, 59)}…` : value}`);
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      parts.push(`${key}=${String(value)}`);
    }
  }
  return parts.join(' ');
}

/** A copy with keys in sorted order, for stable JSON. */
export function sortedRecord<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key] as T;
  return out;
}

function draft(
  category: MetricsEventCategory,
  type: string,
  source: string | null,
  kind: string | null,
  value: number | null,
  detail: string,
  agent: string | null = null,
): EventDraft {
  return { category, type, source, agent, kind, value, detail };
}

/**
 * Counters, breaker states and injections from the diagnostics channels.
 * @internal
 */
export class ChannelFigures {
  readonly #counters: Record<string, number> = {};
  readonly #bySource = new Map<string, Record<string, number>>();
  readonly #giveUps: Record<string, number> = {};
  readonly #bulkhead: Record<string, number> = {};
  readonly #rateLimited: Record<string, number> = {};
  readonly #budgetExceeded: Record<string, number> = {};
  #tokens = 0;
  #cost = 0;
  #injections = 0;
  #masked = 0;
  readonly #byKind = new Map<string, { injected: number; masked: number }>();
  readonly #byFault: Record<string, number> = {};
  readonly #byEffect: Record<string, number> = {};
  readonly #killSwitchTrips: KillSwitchTrip[] = [];
  readonly #stops: Record<string, number> = {};
  readonly #breakers = new Map<string, BreakerCounts>();

  /** Applied injections so far. */
  get injections(): number {
    return this.#injections;
  }

  /**
   * Counts a message; returns what to log, or `undefined` for messages too frequent to log
   * (breaker successes and failures, budget usage, refusals of an open breaker).
   */
  apply(
    channel: string,
    source: string | undefined,
    event: unknown,
    now: number,
  ): EventDraft | undefined {
    const key = counterKey(channel);
    bump(this.#counters, key);
    if (source !== undefined) {
      let perSource = this.#bySource.get(source);
      if (perSource === undefined) {
        if (this.#bySource.size >= maxSources) {
          perSource = this.#bySource.get('(other)') ?? {};
          this.#bySource.set('(other)', perSource);
        } else {
          perSource = {};
          this.#bySource.set(source, perSource);
        }
      }
      bump(perSource, key);
    }
    const src = source ?? null;
    switch (key) {
      case 'retry': {
        const e = payload<RetryPayload>(event);
        const attempt = num(e.attempt);
        const delay = num(e.delayMs) ?? null;
        const why = errorText(e.error);
        return draft(
          'policy',
          'retry',
          src,
          str(e.errorClass) ?? null,
          delay,
          `attempt ${attempt ?? '?'} failed${why === '' ? '' : ` (${why})`}; retrying in ${delay ?? '?'} ms`,
        );
      }
      case 'retryGiveUp': {
        const e = payload<RetryGiveUpPayload>(event);
        const reason = str(e.reason) ?? 'unknown';
        bump(this.#giveUps, reason);
        const why = errorText(e.error);
        return draft(
          'policy',
          'retry-give-up',
          src,
          reason,
          num(e.attempts) ?? null,
          `gave up after ${num(e.attempts) ?? '?'} attempts (${reason})${why === '' ? '' : `: ${why}`}`,
        );
      }
      case 'retrySuccess': {
        const attempts = num(payload<RetrySuccessPayload>(event).attempts);
        if (attempts === undefined || attempts <= 1) return undefined;
        return draft(
          'policy',
          'retry-success',
          src,
          null,
          attempts,
          `succeeded on attempt ${attempts}`,
        );
      }
      case 'fallback': {
        const e = payload<FallbackPayload>(event);
        const name = str(e.name) ?? null;
        return draft(
          'policy',
          'fallback',
          src,
          name,
          num(e.index) ?? null,
          `fell back to ${name ?? 'an alternative'} after: ${errorText(e.reason)}`,
        );
      }
      case 'hedge': {
        const e = payload<HedgePayload>(event);
        const reason = str(e.reason) ?? null;
        return draft(
          'policy',
          'hedge',
          src,
          reason,
          num(e.attempt) ?? null,
          `hedged attempt ${num(e.attempt) ?? '?'} (${reason ?? '?'})`,
        );
      }
      case 'timeout': {
        const e = payload<TimeoutPayload>(event);
        const ms = num(e.timeoutMs) ?? null;
        return draft(
          'policy',
          'timeout',
          src,
          str(e.strategy) ?? null,
          ms,
          `timed out after ${ms ?? '?'} ms`,
        );
      }
      case 'bulkheadRejected': {
        const e = payload<BulkheadRejectedPayload>(event);
        const reason = str(e.reason) ?? 'unknown';
        bump(this.#bulkhead, reason);
        return draft(
          'policy',
          'bulkhead-rejected',
          src,
          reason,
          num(e.executing) ?? null,
          `bulkhead rejected a call (${reason}; ${num(e.executing) ?? '?'} running, ${num(e.queued) ?? '?'} queued)`,
        );
      }
      case 'rateLimited': {
        const e = payload<RateLimitedPayload>(event);
        const action = str(e.action) ?? 'unknown';
        bump(this.#rateLimited, action);
        return draft(
          'policy',
          'rate-limited',
          src,
          action,
          num(e.waitMs) ?? null,
          `rate limited (${action}), capacity in ${num(e.waitMs) ?? '?'} ms`,
        );
      }
      case 'loopDetected': {
        const e = payload<LoopDetectedPayload>(event);
        return draft(
          'policy',
          'loop-detected',
          src,
          str(e.key) ?? null,
          num(e.repetitions) ?? null,
          `loop detected: ${str(e.key) ?? '?'} repeated ${num(e.repetitions) ?? '?'} times`,
        );
      }
      case 'budgetExceeded': {
        const e = payload<BudgetExceededPayload>(event);
        const budget = str(e.budget) ?? 'unknown';
        bump(this.#budgetExceeded, budget);
        return draft(
          'policy',
          'budget-exceeded',
          src,
          budget,
          num(e.used) ?? null,
          `${budget} budget exceeded: ${num(e.used) ?? '?'} of ${num(e.limit) ?? '?'}`,
        );
      }
      case 'budgetUsage': {
        const e = payload<BudgetUsagePayload>(event);
        this.#tokens += num(e.tokens) ?? 0;
        this.#cost += num(e.cost) ?? 0;
        return undefined;
      }
      case 'circuitBreak': {
        const e = payload<CircuitBreakPayload>(event);
        const breaker = this.#breaker(src);
        breaker.trips++;
        const reason = str(e.reason) ?? null;
        return draft(
          'breaker',
          'circuit-break',
          src,
          reason,
          num(e.retryAfterMs) ?? null,
          `opened (${reason ?? '?'}) after ${num(e.failureCount) ?? '?'} failures; probes in ${num(e.retryAfterMs) ?? '?'} ms`,
        );
      }
      case 'circuitHalfOpen':
        this.#breaker(src).halfOpens++;
        return draft(
          'breaker',
          'circuit-half-open',
          src,
          null,
          null,
          'half-open: letting probes through',
        );
      case 'circuitReset': {
        this.#breaker(src).resets++;
        const reason = str(payload<CircuitResetPayload>(event).reason) ?? null;
        return draft('breaker', 'circuit-reset', src, reason, null, `closed (${reason ?? '?'})`);
      }
      case 'circuitStateChange': {
        const e = payload<CircuitStateChangePayload>(event);
        const breaker = this.#breaker(src);
        const from = str(e.from) ?? breaker.state;
        const to = str(e.to) ?? 'unknown';
        if (breaker.state !== 'closed' && breaker.since !== null)
          breaker.openMs += now - breaker.since;
        breaker.state = to;
        breaker.since = now;
        breaker.transitions.push({ from, to, at: now });
        if (breaker.transitions.length > maxTransitions) breaker.transitions.shift();
        return undefined;
      }
      case 'circuitSuccess':
        this.#breaker(src).successes++;
        return undefined;
      case 'circuitFailure':
        this.#breaker(src).failures++;
        return undefined;
      case 'circuitRejected':
        this.#breaker(src).rejections++;
        return undefined;
      case 'faultInjected':
        return this.#injection(src, payload<InjectionPayload>(event));
      case 'killSwitch': {
        const e = payload<KillSwitchPayload>(event);
        const trip: KillSwitchTrip = {
          at: now,
          scope: str(e.scope) ?? src,
          trigger: str(e.trigger) ?? null,
          detail: str(e.detail) ?? null,
        };
        if (this.#killSwitchTrips.length < maxKillSwitchTrips) this.#killSwitchTrips.push(trip);
        return draft(
          'fault',
          'kill-switch',
          src,
          trip.trigger,
          null,
          `kill switch tripped: ${trip.detail ?? '?'}`,
        );
      }
      case 'chaosStopped': {
        const e = payload<ChaosStoppedPayload>(event);
        const reason = str(e.reason) ?? 'unknown';
        bump(this.#stops, reason);
        return draft(
          'fault',
          'chaos-stopped',
          src,
          reason,
          null,
          `injection stopped (${reason})${str(e.detail) === undefined || e.detail === '' ? '' : `: ${str(e.detail) ?? ''}`}`,
        );
      }
      default: {
        const type = channel.slice(channel.lastIndexOf(':') + 1);
        const agent = str(payload<{ agent: string }>(event).agent) ?? null;
        return draft('channel', type, src, channel, null, describeFields(event), agent);
      }
    }
  }

  #injection(source: string | null, e: Untrusted<InjectionPayload>): EventDraft {
    const kind = str(e.kind) ?? 'unknown';
    const fault = str(e.fault) ?? kind;
    const masked = e.outcome === 'masked';
    let perKind = this.#byKind.get(kind);
    if (perKind === undefined) {
      perKind = { injected: 0, masked: 0 };
      this.#byKind.set(kind, perKind);
    }
    const target = payload<InjectionPayload['target']>(e.target);
    const effect = payload<InjectionPayload['effect']>(e.effect);
    const effectType = str(effect.type) ?? 'unknown';
    if (masked) {
      this.#masked++;
      perKind.masked++;
    } else {
      this.#injections++;
      perKind.injected++;
      bump(this.#byFault, fault);
      bump(this.#byEffect, effectType);
    }
    const operation = str(target.operation) ?? '?';
    return draft(
      'fault',
      masked ? 'injection-masked' : 'injection',
      source,
      kind,
      num(effect.ms) ?? null,
      `${kind} '${fault}' on ${operation}: ${effectType}`,
      str(target.agent) ?? null,
    );
  }

  #breaker(name: string | null): BreakerCounts {
    const key = name ?? '(unnamed)';
    let breaker = this.#breakers.get(key);
    if (breaker === undefined) {
      breaker = {
        state: 'closed',
        since: null,
        trips: 0,
        halfOpens: 0,
        resets: 0,
        rejections: 0,
        successes: 0,
        failures: 0,
        openMs: 0,
        transitions: [],
      };
      this.#breakers.set(key, breaker);
    }
    return breaker;
  }

  policies(): PolicyFigures {
    const bySource: Record<string, Record<string, number>> = {};
    for (const name of [...this.#bySource.keys()].sort()) {
      bySource[name] = sortedRecord(this.#bySource.get(name) ?? {});
    }
    return {
      counters: sortedRecord(this.#counters),
      bySource,
      retryGiveUpsByReason: sortedRecord(this.#giveUps),
      bulkheadRejectionsByReason: sortedRecord(this.#bulkhead),
      rateLimitedByAction: sortedRecord(this.#rateLimited),
      budget: {
        tokens: this.#tokens,
        cost: this.#cost,
        exceededBy: sortedRecord(this.#budgetExceeded),
      },
    };
  }

  faults(): FaultFigures {
    const byKind: Record<string, { injected: number; masked: number }> = {};
    for (const kind of [...this.#byKind.keys()].sort()) {
      const counts = this.#byKind.get(kind) ?? { injected: 0, masked: 0 };
      byKind[kind] = { injected: counts.injected, masked: counts.masked };
    }
    return {
      injections: this.#injections,
      masked: this.#masked,
      byKind,
      byFault: sortedRecord(this.#byFault),
      byEffect: sortedRecord(this.#byEffect),
      killSwitchTrips: [...this.#killSwitchTrips],
      stops: sortedRecord(this.#stops),
    };
  }

  /** Applied injections per kind. */
  injectionsByKind(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const kind of [...this.#byKind.keys()].sort())
      out[kind] = this.#byKind.get(kind)?.injected ?? 0;
    return out;
  }

  breakers(now: number): Record<string, BreakerFigures> {
    const out: Record<string, BreakerFigures> = {};
    for (const name of [...this.#breakers.keys()].sort()) {
      const b = this.#breakers.get(name) as BreakerCounts;
      const current = b.state !== 'closed' && b.since !== null ? now - b.since : 0;
      out[name] = {
        name,
        state: b.state,
        since: b.since,
        trips: b.trips,
        halfOpens: b.halfOpens,
        resets: b.resets,
        rejections: b.rejections,
        successes: b.successes,
        failures: b.failures,
        openMs: b.openMs + current,
        transitions: [...b.transitions],
      };
    }
    return out;
  }

  breakerStates(): BreakerState[] {
    return [...this.#breakers.keys()].sort().map((name) => {
      const b = this.#breakers.get(name) as BreakerCounts;
      return { name, state: b.state, since: b.since, trips: b.trips };
    });
  }
}
