import type {
  EffectSummary,
  ErrorSummary,
  FaultEffect,
  InjectionSite,
  SiteField,
} from './types.ts';

/**
 * One injection decision: a fault fired on a call. `outcome` is `'injected'` when the effect was
 * applied, `'masked'` when another fault's failure on the same call pre-empted it.
 */
export interface InjectionRecord {
  readonly type: 'injection';
  /** 1, 2, 3, ... within the scope. */
  readonly seq: number;
  /** Milliseconds since the scope started, on its clock. */
  readonly time: number;
  /** The run's seed. */
  readonly seed: string;
  /** The fault's name. */
  readonly fault: string;
  /** The fault's kind. */
  readonly kind: string;
  /** The call it fired on. */
  readonly target: InjectionSite;
  /** What it did. */
  readonly effect: EffectSummary;
  readonly outcome: 'injected' | 'masked';
}

/** Why a scope stopped injecting. */
export type StopReason = 'scope-end' | 'duration' | 'kill-switch' | 'aborted';

/** What trips a kill switch. */
export type KillSwitchTrigger = 'error-rate' | 'unresponsive' | 'manual';

/** The first journal line of a scope. */
export interface ScopeStartRecord {
  readonly type: 'start';
  readonly time: 0;
  readonly seed: string;
  readonly scope: string;
  readonly enabled: boolean;
  readonly faults: readonly { readonly name: string; readonly kind: string }[];
}

/** The journal line written when a scope stops injecting. */
export interface ScopeStopRecord {
  readonly type: 'stop';
  readonly time: number;
  readonly seed: string;
  readonly reason: StopReason;
  /** For `kill-switch`: what tripped it. */
  readonly trigger?: KillSwitchTrigger;
  readonly detail: string;
}

/** A line of a {@link ChaosJournal}. */
export type JournalEntry = InjectionRecord | ScopeStartRecord | ScopeStopRecord;

const siteFields: readonly SiteField[] = [
  'operation',
  'tool',
  'agent',
  'url',
  'host',
  'path',
  'command',
];

/** A copy of `site` holding only its defined fields, in a fixed order (stable JSON). */
export function siteSnapshot(site: InjectionSite): InjectionSite {
  const out: Record<string, string> = {};
  for (const field of siteFields) {
    const value = site[field];
    if (value !== undefined) out[field] = value;
  }
  return out as unknown as InjectionSite;
}

/** A JSON description of `error`, fields in a fixed order. */
export function summariseError(error: unknown): ErrorSummary {
  if (!(error instanceof Error)) return { name: 'NonError', message: String(error) };
  const e = error as Error & { code?: unknown; status?: unknown };
  const out: { name: string; message: string; code?: string | number; status?: number } = {
    name: e.name,
    message: e.message,
  };
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
  if (typeof e.status === 'number') out.status = e.status;
  return out;
}

/** A JSON description of `effect`, fields in a fixed order. */
export function summariseEffect(effect: FaultEffect): EffectSummary {
  switch (effect.type) {
    case 'fail':
    case 'fail-after':
      return { type: effect.type, error: summariseError(effect.error) };
    case 'delay':
      return { type: effect.type, ms: effect.ms };
    case 'hang': {
      const out: { type: 'hang'; ms?: number; error?: ErrorSummary } = { type: 'hang' };
      if (effect.ms !== undefined) out.ms = effect.ms;
      if (effect.error !== undefined) out.error = summariseError(effect.error);
      return out;
    }
    case 'interrupt':
      return { type: effect.type, ms: effect.afterMs, error: summariseError(effect.error) };
    case 'crash-at':
      return { type: effect.type, fraction: effect.progress, error: summariseError(effect.error) };
    case 'partial-write':
      return { type: effect.type, fraction: effect.fraction, error: summariseError(effect.error) };
    case 'transform':
      return { type: effect.type, description: effect.description };
    case 'pressure':
      return {
        type: effect.type,
        ms: effect.durationMs,
        description: `${effect.resource} × ${effect.amount}`,
      };
  }
}

/** One line of text for an injection, e.g. `network 'api-down' on fetch: fail ECONNRESET`. */
export function describeInjection(record: InjectionRecord): string {
  const { effect } = record;
  const what =
    effect.error === undefined
      ? (effect.description ?? (effect.ms === undefined ? '' : `${effect.ms} ms`))
      : `${effect.error.name}${effect.error.code === undefined ? '' : ` ${String(effect.error.code)}`}: ${effect.error.message}`;
  return `${record.kind} '${record.fault}' on ${record.target.operation}: ${effect.type}${what === '' ? '' : ` ${what}`}`;
}

/**
 * Every injection decision of a scope, in order, plus its start and stop. With a virtual clock,
 * the same seed and program produce a byte-identical {@link toJsonLines} output.
 */
export class ChaosJournal {
  readonly #entries: JournalEntry[] = [];
  readonly #keep: boolean;
  #count = 0;

  /** @param keep - keep entries in memory (false: only count them). */
  constructor(keep = true) {
    this.#keep = keep;
  }

  /** The entries kept so far (empty when the scope keeps no journal). */
  get entries(): readonly JournalEntry[] {
    return this.#entries;
  }

  /** How many entries were written, kept or not. */
  get size(): number {
    return this.#count;
  }

  /** The injection entries. */
  get injections(): readonly InjectionRecord[] {
    return this.#entries.filter((e): e is InjectionRecord => e.type === 'injection');
  }

  /** Appends an entry. */
  append(entry: JournalEntry): void {
    this.#count++;
    if (this.#keep) this.#entries.push(entry);
  }

  /** The journal as JSON lines (one entry per line, each line ending in `\n`). */
  toJsonLines(): string {
    let out = '';
    for (const entry of this.#entries) out += `${JSON.stringify(entry)}\n`;
    return out;
  }
}
