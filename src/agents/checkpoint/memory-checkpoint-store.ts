import { assertInteger } from '../../core/index.ts';
import { encodeCheckpoint } from './checkpoint-codec.ts';
import { loadVerified, writeSite } from './load-verified.ts';
import type {
  Checkpoint,
  CheckpointEntry,
  CheckpointInput,
  CheckpointLoad,
  CheckpointStore,
} from './types.ts';

/** Options of {@link MemoryCheckpointStore}. */
export interface MemoryCheckpointStoreOptions {
  /**
   * Checkpoints kept per key; older ones are dropped after each save. At least 2, so that a
   * corrupt latest record can fall back to the one before.
   * @default 5
   */
  readonly keep?: number;
  /**
   * Make every record read and write an injection site (`checkpoint.read`, `checkpoint.write`,
   * path `<runId>/<key>#<seq>`), so that storage faults and corruption reach them. Off by
   * default: chaos with a failure rate over every call would otherwise hit local storage too.
   * @default false
   */
  readonly sites?: boolean;
}

interface KeyRecords {
  next: number;
  readonly records: { readonly seq: number; text: string }[];
}

/**
 * A {@link CheckpointStore} in memory, for tests and simulations: no I/O, yet records are
 * serialised and checksummed exactly as on disk, so corruption is detected the same way. Use
 * one store per simulated run (or `delete(runId)` after it) to keep memory flat in long
 * campaigns.
 */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly #keep: number;
  readonly #sites: boolean;
  readonly #runs = new Map<string, Map<string, KeyRecords>>();

  constructor(options: MemoryCheckpointStoreOptions = {}) {
    this.#keep = assertInteger('MemoryCheckpointStore', 'keep', options.keep ?? 5, 2);
    this.#sites = options.sites === true;
  }

  async save<S>(input: CheckpointInput<S>): Promise<Checkpoint<S>> {
    let run = this.#runs.get(input.runId);
    if (run === undefined) {
      run = new Map();
      this.#runs.set(input.runId, run);
    }
    let records = run.get(input.key);
    if (records === undefined) {
      records = { next: 1, records: [] };
      run.set(input.key, records);
    }
    const seq = records.next++;
    const { text, checkpoint } = encodeCheckpoint(input, seq);
    const target = records;
    await writeSite(
      input.runId,
      input.key,
      seq,
      () => {
        target.records.push({ seq, text });
        if (target.records.length > this.#keep) target.records.shift();
      },
      this.#sites,
    );
    return checkpoint;
  }

  load<S = unknown>(runId: string, key: string): Promise<CheckpointLoad<S>> {
    const records = this.#runs.get(runId)?.get(key)?.records;
    if (records === undefined || records.length === 0) {
      return Promise.resolve({ checkpoint: undefined, corrupt: [] });
    }
    const byseq = new Map(records.map((r) => [r.seq, r.text]));
    const newestFirst = records.map((r) => r.seq).reverse();
    return loadVerified<S>(
      runId,
      key,
      newestFirst,
      (seq) => Promise.resolve(byseq.get(seq) ?? ''),
      this.#sites,
    );
  }

  list(runId: string, key?: string): Promise<readonly CheckpointEntry[]> {
    const run = this.#runs.get(runId);
    const out: CheckpointEntry[] = [];
    if (run !== undefined) {
      for (const k of [...run.keys()].sort()) {
        if (key !== undefined && k !== key) continue;
        for (const r of run.get(k)?.records ?? []) out.push({ runId, key: k, seq: r.seq });
      }
    }
    return Promise.resolve(out);
  }

  delete(runId: string, key?: string): Promise<number> {
    const run = this.#runs.get(runId);
    if (run === undefined) return Promise.resolve(0);
    let deleted = 0;
    for (const [k, records] of run) {
      if (key !== undefined && k !== key) continue;
      deleted += records.records.length;
      run.delete(k);
    }
    if (run.size === 0) this.#runs.delete(runId);
    return Promise.resolve(deleted);
  }

  /**
   * Overwrites the stored text of one record, as a failing disk would: for tests and storage
   * chaos. Returns false when there is no such record.
   */
  tamper(entry: CheckpointEntry, change: (text: string) => string): boolean {
    const record = this.#runs
      .get(entry.runId)
      ?.get(entry.key)
      ?.records.find((r) => r.seq === entry.seq);
    if (record === undefined) return false;
    record.text = change(record.text);
    return true;
  }
}
