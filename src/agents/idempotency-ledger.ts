import { assertFunction, invalidOption, realClock, type Clock } from '../core/index.ts';
import type { CheckpointStore } from './checkpoint/types.ts';
import type { CheckpointCorruptError } from './errors/checkpoint-corrupt-error.ts';

/** Options of {@link IdempotencyLedger}. */
export interface IdempotencyLedgerOptions {
  /** Where records are kept (under the keys `ledger/<key>`). */
  readonly store: CheckpointStore;
  /** The run the side effects belong to. */
  readonly runId: string;
  /**
   * Stamps the records.
   * @default realClock
   */
  readonly clock?: Clock;
  /**
   * Told about records that failed their integrity check (the effect then runs again, with
   * the same idempotency key).
   * @default undefined
   */
  readonly onCorrupt?: (error: CheckpointCorruptError) => void;
}

/** What {@link IdempotencyLedger.run} resolves with. */
export interface SideEffectOutcome<T> {
  readonly value: T;
  /** True when the ledger already had the result and the effect did not run. */
  readonly replayed: boolean;
}

interface LedgerRecord {
  readonly value: unknown;
}

/**
 * Remembers which side effects of a run have happened, so a resumed run does not do them twice.
 * Each effect's result is stored (checksummed) in the checkpoint store as soon as it returns;
 * a later `run` with the same key returns it without running the effect. The effect gets an
 * idempotency key to hand to the service it calls, which closes the window between the effect
 * and its record (a crash right there) for services that honour such keys.
 *
 * @example
 * ```ts
 * const ledger = new IdempotencyLedger({ store, runId });
 * const { value } = await ledger.run(`charge:${order.id}`, (key) => payments.charge(order, key));
 * ```
 */
export class IdempotencyLedger {
  readonly runId: string;
  readonly #store: CheckpointStore;
  readonly #clock: Clock;
  readonly #onCorrupt: ((error: CheckpointCorruptError) => void) | undefined;
  readonly #inFlight = new Map<string, Promise<SideEffectOutcome<unknown>>>();
  #executed = 0;
  #replayed = 0;

  constructor(options: IdempotencyLedgerOptions) {
    if (typeof options.runId !== 'string' || options.runId === '') {
      invalidOption('IdempotencyLedger', 'runId', options.runId, 'a non-empty string');
    }
    if (typeof options.store !== 'object' || (options.store as unknown) === null) {
      invalidOption('IdempotencyLedger', 'store', options.store, 'a CheckpointStore');
    }
    this.runId = options.runId;
    this.#store = options.store;
    this.#clock = options.clock ?? realClock;
    this.#onCorrupt =
      options.onCorrupt === undefined
        ? undefined
        : assertFunction('IdempotencyLedger', 'onCorrupt', options.onCorrupt);
  }

  /** Effects run by this ledger object. */
  get executed(): number {
    return this.#executed;
  }

  /** Effects skipped because they were already recorded. */
  get replayed(): number {
    return this.#replayed;
  }

  /** The idempotency key handed to the effect of `key`. */
  idempotencyKey(key: string): string {
    return `${this.runId}:${key}`;
  }

  /** Whether `key` is recorded as done. */
  async has(key: string): Promise<boolean> {
    return (await this.#recorded(key)) !== undefined;
  }

  /**
   * Runs `effect` unless `key` is already recorded; records its result. Concurrent calls with
   * the same key share one execution.
   */
  run<T>(
    key: string,
    effect: (idempotencyKey: string) => T | PromiseLike<T>,
  ): Promise<SideEffectOutcome<T>> {
    if (typeof key !== 'string' || key === '') {
      invalidOption('IdempotencyLedger.run', 'key', key, 'a non-empty string');
    }
    assertFunction('IdempotencyLedger.run', 'effect', effect);
    const pending = this.#inFlight.get(key);
    if (pending !== undefined) return pending as Promise<SideEffectOutcome<T>>;
    const work = this.#run(key, effect).finally(() => {
      this.#inFlight.delete(key);
    });
    this.#inFlight.set(key, work);
    return work;
  }

  async #run<T>(
    key: string,
    effect: (idempotencyKey: string) => T | PromiseLike<T>,
  ): Promise<SideEffectOutcome<T>> {
    const recorded = await this.#recorded(key);
    if (recorded !== undefined) {
      this.#replayed++;
      return { value: recorded.value as T, replayed: true };
    }
    const value = await effect(this.idempotencyKey(key));
    this.#executed++;
    await this.#store.save<LedgerRecord>({
      runId: this.runId,
      key: `ledger/${key}`,
      savedAt: this.#clock.now(),
      reason: 'side-effect',
      state: { value: value === undefined ? null : value },
    });
    return { value, replayed: false };
  }

  async #recorded(key: string): Promise<LedgerRecord | undefined> {
    const { checkpoint, corrupt } = await this.#store.load<LedgerRecord>(
      this.runId,
      `ledger/${key}`,
    );
    if (this.#onCorrupt !== undefined) for (const error of corrupt) this.#onCorrupt(error);
    return checkpoint?.state;
  }
}
