import {
  assertInteger,
  assertOneOf,
  assertRecord,
  invalidOption,
  type JsonObject,
} from '../../core/index.ts';
import type { BreakReason } from './circuit-breaker-events.ts';
import type { CircuitState } from './circuit-state.ts';

/**
 * A breaker's state as JSON, from `breaker.toJSON()` (or `JSON.stringify(breaker)`). Feed it
 * back with `circuitBreaker({ initialState })` or `breaker.restore(snapshot)`, e.g. to keep a
 * breaker open across restarts of a serverless function.
 */
export interface CircuitBreakerSnapshot {
  readonly state: CircuitState;
  /** Failures counted by the strategy (in a row, or inside the window). */
  readonly failureCount: number;
  /** The last failure counted, with its clock time and message. */
  readonly lastFailure: { readonly at: number; readonly message: string } | null;
  /** Openings since the breaker was last closed (drives a growing reset timeout). */
  readonly tripCount: number;
  /** The last opening, with its clock time and reason. */
  readonly lastTrip: { readonly at: number; readonly reason: BreakReason } | null;
  /** Clock time from which an open breaker lets a probe through; `null` unless open. */
  readonly openUntil: number | null;
  /** The strategy's own counts, tagged with its `kind`. */
  readonly strategy: JsonObject & { readonly kind: string };
}

/**
 * What `initialState` and `restore()` accept: a {@link CircuitBreakerSnapshot}, where only
 * `state` is required (and `openUntil` when the state is `'open'`).
 */
export type CircuitBreakerSnapshotInput = Pick<CircuitBreakerSnapshot, 'state'> &
  Partial<Omit<CircuitBreakerSnapshot, 'state' | 'strategy'>> & {
    readonly strategy?: Readonly<Record<string, unknown>> & { readonly kind: string };
  };

/** @internal A validated snapshot. */
export interface ParsedSnapshot {
  readonly state: CircuitState;
  readonly failureCount: number;
  readonly lastFailure: { readonly at: number; readonly message: string } | undefined;
  readonly tripCount: number;
  readonly lastTrip: { readonly at: number; readonly reason: BreakReason } | undefined;
  readonly openUntil: number;
  readonly strategy: Readonly<Record<string, unknown>> | undefined;
}

const owner = 'circuitBreaker';
const states = ['closed', 'open', 'half-open', 'isolated'] as const;
const reasons = [
  'consecutive-failures',
  'failure-rate',
  'slow-call-rate',
  'half-open-failure',
  'isolated',
] as const;

function time(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    invalidOption(owner, option, value, 'a finite number (clock time in ms)');
  }
  return value;
}

/**
 * Validates a snapshot given as `path` (`initialState` or `snapshot`) for a breaker whose
 * strategy is of kind `kind`. Every error names the offending field.
 * @internal
 */
export function parseSnapshot(input: unknown, path: string, kind: string): ParsedSnapshot {
  const raw = assertRecord(owner, path, input);
  const state = assertOneOf(owner, `${path}.state`, raw.state, states);
  const failureCount = assertInteger(owner, `${path}.failureCount`, raw.failureCount ?? 0, 0);
  const broken = state === 'open' || state === 'half-open';
  const tripCount = assertInteger(
    owner,
    `${path}.tripCount`,
    raw.tripCount ?? (broken ? 1 : 0),
    broken ? 1 : 0,
  );

  let lastFailure: ParsedSnapshot['lastFailure'];
  if (raw.lastFailure != null) {
    const failure = assertRecord(owner, `${path}.lastFailure`, raw.lastFailure);
    const message = failure.message;
    if (typeof message !== 'string') {
      invalidOption(owner, `${path}.lastFailure.message`, message, 'a string');
    }
    lastFailure = { at: time(`${path}.lastFailure.at`, failure.at), message };
  }

  let lastTrip: ParsedSnapshot['lastTrip'];
  if (raw.lastTrip != null) {
    const trip = assertRecord(owner, `${path}.lastTrip`, raw.lastTrip);
    lastTrip = {
      at: time(`${path}.lastTrip.at`, trip.at),
      reason: assertOneOf(owner, `${path}.lastTrip.reason`, trip.reason, reasons),
    };
  }

  let openUntil = Number.NaN;
  if (state === 'open') {
    openUntil = time(`${path}.openUntil`, raw.openUntil);
  } else if (raw.openUntil != null) {
    time(`${path}.openUntil`, raw.openUntil);
  }

  let strategy: ParsedSnapshot['strategy'];
  if (raw.strategy !== undefined) {
    strategy = assertRecord(owner, `${path}.strategy`, raw.strategy);
    if (strategy.kind !== kind) {
      invalidOption(
        owner,
        `${path}.strategy.kind`,
        strategy.kind,
        `'${kind}', the kind of this breaker's strategy`,
      );
    }
  }

  return { state, failureCount, lastFailure, tripCount, lastTrip, openUntil, strategy };
}
