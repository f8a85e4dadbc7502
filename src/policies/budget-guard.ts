import {
  describeValue,
  assertFunction,
  assertNonNegativeNumber,
  BudgetExceededError,
  Emitter,
  InvalidOptionError,
  type Event,
  channelNames,
} from '../core/index.ts';
import { toContext } from './context.ts';
import type { Policy, PolicyContext, PolicyFunction, PolicyOptions } from './types.ts';

/** An amount of spending: model tokens and money (in whatever currency unit you count). */
export interface Usage {
  /** Tokens (prompt plus completion, or however you count them). @default 0 */
  readonly tokens?: number;
  /** Cost, e.g. in US dollars. @default 0 */
  readonly cost?: number;
}

/** Options of {@link budgetGuard}. */
export interface BudgetGuardOptions<R = unknown> extends PolicyOptions {
  /**
   * Tokens the run may spend.
   * @default Infinity (tokens are counted, never refused)
   */
  maxTokens?: number;
  /**
   * Cost the run may spend.
   * @default Infinity (cost is counted, never refused)
   */
  maxCost?: number;
  /**
   * What a call is expected to spend, asked before it runs: a call whose estimate does not fit
   * in what is left is refused. The estimate is held while the call runs, so calls running in
   * parallel cannot jointly overspend, and counts as the call's usage when `usage` is not given.
   * @default undefined (only an exhausted budget refuses)
   */
  estimate?: (context: PolicyContext) => Usage | undefined;
  /**
   * What a call actually spent, read from its result, e.g. `(r) => ({ tokens:
   * r.usage.totalTokens })`. Failed calls record nothing (use {@link BudgetGuard.record} when
   * the spending of a failure is known).
   * @default undefined (the estimate is recorded, or nothing)
   */
  usage?: (result: R) => Usage | undefined;
}

/** A snapshot of a budget, from {@link BudgetGuard.usage}. */
export interface BudgetUsage {
  /** Tokens spent. */
  readonly tokens: number;
  /** Cost spent. */
  readonly cost: number;
  /** Tokens left (`Infinity` without a token limit); never negative. */
  readonly remainingTokens: number;
  /** Cost left (`Infinity` without a cost limit); never negative. */
  readonly remainingCost: number;
  /** Calls admitted by `execute`. */
  readonly calls: number;
  /** Calls running now. */
  readonly inFlight: number;
}

/** Emitted by {@link BudgetGuard.onBudgetExceeded} when a call is refused. */
export interface BudgetExceededEvent {
  /** Which budget refused it (tokens are checked first). */
  readonly budget: 'tokens' | 'cost';
  readonly limit: number;
  /** Spent plus held by running calls' estimates. */
  readonly used: number;
  /** The refused call's estimate (0 without one). */
  readonly requested: number;
}

/** Emitted by {@link BudgetGuard.onUsage} each time spending is recorded. */
export interface UsageEvent {
  /** Tokens of this record. */
  readonly tokens: number;
  /** Cost of this record. */
  readonly cost: number;
  /** Tokens spent in total, this record included. */
  readonly totalTokens: number;
  /** Cost spent in total, this record included. */
  readonly totalCost: number;
}

/**
 * Token and cost budgets for one agent run. Create it with {@link budgetGuard}.
 *
 * A call is refused with a {@link BudgetExceededError}, before it runs, when the budget is
 * spent (or fully held by running calls), or when its `estimate` would not fit. After the call,
 * its actual spending (`usage` of the result) is recorded; a call may overshoot its estimate,
 * and then the calls after it are refused. Use one guard per run, or `reset()` between runs.
 */
export class BudgetGuard<R = unknown> implements Policy {
  /** Name used in events, channel messages and error messages. */
  readonly name: string;
  /** The token limit (`Infinity`: none). */
  readonly maxTokens: number;
  /** The cost limit (`Infinity`: none). */
  readonly maxCost: number;
  readonly #estimate: ((context: PolicyContext) => Usage | undefined) | undefined;
  readonly #usageOf: ((result: R) => Usage | undefined) | undefined;
  readonly #exceededEmitter: Emitter<BudgetExceededEvent>;
  readonly #usageEmitter: Emitter<UsageEvent>;
  #tokens = 0;
  #cost = 0;
  #heldTokens = 0;
  #heldCost = 0;
  #calls = 0;
  #inFlight = 0;

  /** Fires when a call is refused. */
  readonly onBudgetExceeded: Event<BudgetExceededEvent>;
  /** Fires when spending is recorded. */
  readonly onUsage: Event<UsageEvent>;

  constructor(options: BudgetGuardOptions<R> = {}) {
    const name = options.name ?? 'budgetGuard';
    this.name = name;
    this.maxTokens = limit(name, 'maxTokens', options.maxTokens);
    this.maxCost = limit(name, 'maxCost', options.maxCost);
    this.#estimate =
      options.estimate === undefined
        ? undefined
        : assertFunction(name, 'estimate', options.estimate);
    this.#usageOf =
      options.usage === undefined ? undefined : assertFunction(name, 'usage', options.usage);
    this.#exceededEmitter = new Emitter(channelNames.budgetExceeded, name);
    this.#usageEmitter = new Emitter(channelNames.budgetUsage, name);
    this.onBudgetExceeded = this.#exceededEmitter.event;
    this.onUsage = this.#usageEmitter.event;
  }

  /** What has been spent and what is left. */
  get usage(): BudgetUsage {
    return {
      tokens: this.#tokens,
      cost: this.#cost,
      remainingTokens: Math.max(0, this.maxTokens - this.#tokens),
      remainingCost: Math.max(0, this.maxCost - this.#cost),
      calls: this.#calls,
      inFlight: this.#inFlight,
    };
  }

  /**
   * Throws a {@link BudgetExceededError} if a call expected to spend `estimate` would be
   * refused now; holds and records nothing.
   */
  check(estimate?: Usage): void {
    const tokens = amount(this.name, 'estimate', estimate, 'tokens');
    const cost = amount(this.name, 'estimate', estimate, 'cost');
    const refusal = this.#refusal(tokens, cost);
    if (refusal !== undefined) throw refusal;
  }

  /** Records spending that happened outside `execute` (a stream, a failed call's usage). */
  record(usage: Usage): void {
    this.#add(
      amount(this.name, 'usage', usage, 'tokens'),
      amount(this.name, 'usage', usage, 'cost'),
    );
  }

  /** Forgets all spending and counts (for the next run). Running calls still record theirs. */
  reset(): void {
    this.#tokens = 0;
    this.#cost = 0;
    this.#calls = 0;
  }

  /**
   * Runs `fn` if the budget allows, then records its usage.
   * @throws {BudgetExceededError} when refused (fn is not called).
   */
  execute<T>(fn: PolicyFunction<T>, input?: AbortSignal | PolicyContext): Promise<T> {
    const context = toContext(input);
    let tokens = 0;
    let cost = 0;
    if (this.#estimate !== undefined) {
      try {
        const estimate = this.#estimate(context);
        tokens = amount(this.name, 'estimate()', estimate, 'tokens');
        cost = amount(this.name, 'estimate()', estimate, 'cost');
      } catch (error) {
        return rethrow(error);
      }
    }
    const refusal = this.#refusal(tokens, cost);
    if (refusal !== undefined) return rethrow(refusal);
    this.#calls++;
    this.#inFlight++;
    this.#heldTokens += tokens;
    this.#heldCost += cost;
    let result: T | PromiseLike<T>;
    try {
      result = fn(context);
    } catch (error) {
      this.#release(tokens, cost);
      return rethrow(error);
    }
    return Promise.resolve(result).then(
      (value) => {
        this.#release(tokens, cost);
        const usage = this.#usageOf === undefined ? undefined : this.#usageOf(value as R);
        if (usage === undefined) {
          if (tokens !== 0 || cost !== 0) this.#add(tokens, cost);
        } else {
          this.#add(
            amount(this.name, 'usage()', usage, 'tokens'),
            amount(this.name, 'usage()', usage, 'cost'),
          );
        }
        return value;
      },
      (error: unknown) => {
        this.#release(tokens, cost);
        throw error;
      },
    );
  }

  #release(tokens: number, cost: number): void {
    this.#inFlight--;
    this.#heldTokens -= tokens;
    this.#heldCost -= cost;
  }

  #add(tokens: number, cost: number): void {
    this.#tokens += tokens;
    this.#cost += cost;
    if (this.#usageEmitter.active) {
      this.#usageEmitter.emit({
        tokens,
        cost,
        totalTokens: this.#tokens,
        totalCost: this.#cost,
      });
    }
  }

  #refusal(tokens: number, cost: number): BudgetExceededError | undefined {
    const usedTokens = this.#tokens + this.#heldTokens;
    if (usedTokens >= this.maxTokens || usedTokens + tokens > this.maxTokens) {
      return this.#refuse('tokens', this.maxTokens, usedTokens, tokens);
    }
    const usedCost = this.#cost + this.#heldCost;
    if (usedCost >= this.maxCost || usedCost + cost > this.maxCost) {
      return this.#refuse('cost', this.maxCost, usedCost, cost);
    }
    return undefined;
  }

  #refuse(
    budget: 'tokens' | 'cost',
    max: number,
    used: number,
    requested: number,
  ): BudgetExceededError {
    if (this.#exceededEmitter.active) {
      this.#exceededEmitter.emit({ budget, limit: max, used, requested });
    }
    const need = requested > 0 ? `; this call needs ${requested} more` : '';
    return new BudgetExceededError(
      `${this.name}: ${budget} budget of ${max} would be exceeded (${used} spent or held${need})`,
      { budget, limit: max, used },
    );
  }
}

function limit(owner: string, option: string, value: number | undefined): number {
  if (value === undefined || value === Infinity) return Infinity;
  return assertNonNegativeNumber(owner, option, value);
}

/**
 * One figure of a {@link Usage}: a missing field means 0; anything but a finite number >= 0 is
 * a bug to report (a field present but `undefined` is usually a misspelt path in `usage`).
 */
function amount(owner: string, what: string, usage: Usage | undefined, field: keyof Usage): number {
  if (usage === undefined || !(field in usage)) return 0;
  const value: unknown = usage[field];
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const option = `${what}.${field}`;
  const shown = describeValue(value);
  throw new InvalidOptionError(`${owner}: ${option} must be a finite number >= 0, got ${shown}`, {
    owner,
    option,
    value,
    expected: 'a finite number >= 0',
  });
}

/** Rejects with fn's own error, whatever its type: it is never wrapped. */
function rethrow(reason: unknown): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed through as is
  return Promise.reject(reason);
}

/**
 * Creates a {@link BudgetGuard}.
 *
 * @example
 * ```ts
 * const budget = budgetGuard<GenerateTextResult>({
 *   maxTokens: 200_000,
 *   maxCost: 2, // dollars
 *   estimate: () => ({ tokens: 4_000 }),
 *   usage: (r) => ({ tokens: r.usage.totalTokens, cost: r.usage.totalTokens * 0.000_002 }),
 * });
 * const reply = await budget.execute(() => generateText({ model, prompt }));
 * console.log(budget.usage.remainingTokens);
 * ```
 */
export function budgetGuard<R = unknown>(options?: BudgetGuardOptions<R>): BudgetGuard<R> {
  return new BudgetGuard(options);
}
