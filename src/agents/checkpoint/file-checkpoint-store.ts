import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { assertInteger, invalidOption, writeFileAtomic } from '../../core/index.ts';
import { encodeCheckpoint } from './checkpoint-codec.ts';
import { loadVerified, writeSite } from './load-verified.ts';
import type {
  Checkpoint,
  CheckpointEntry,
  CheckpointInput,
  CheckpointLoad,
  CheckpointStore,
} from './types.ts';

/** Options of {@link FileCheckpointStore}. */
export interface FileCheckpointStoreOptions {
  /** The run directory: checkpoints go to `<dir>/<runId>/<key>/<seq>.ckpt`. */
  readonly dir: string;
  /**
   * Checkpoints kept per key; older files are deleted after each save. At least 2, so that a
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

const extension = '.ckpt';

/** A path segment that can never climb out of its directory or hide as a dotfile. */
function segment(text: string): string {
  return encodeURIComponent(text).replace(/\./g, '%2E').replace(/\*/g, '%2A');
}

function fileName(seq: number): string {
  return `${String(seq).padStart(8, '0')}${extension}`;
}

function isNotFound(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 'ENOENT';
}

async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

async function seqsIn(dir: string): Promise<number[]> {
  const seqs: number[] = [];
  for (const name of await entries(dir)) {
    if (!name.endsWith(extension)) continue;
    const seq = Number(name.slice(0, -extension.length));
    if (Number.isInteger(seq) && seq > 0) seqs.push(seq);
  }
  return seqs.sort((a, b) => a - b);
}

/**
 * A {@link CheckpointStore} of files in a run directory. Each checkpoint is one file, written
 * atomically (temporary file, fsync, rename: a crash leaves the old file or the new one, never a
 * torn one) with a SHA-256 checksum verified on load. A corrupt file is reported and skipped;
 * the previous one is used. Another process can resume a run from the same directory.
 *
 * @example
 * ```ts
 * const store = new FileCheckpointStore({ dir: '.faultline/checkpoints' });
 * const result = await runAgent(workflow, input, { runId: 'order-42', checkpoints: store });
 * ```
 */
export class FileCheckpointStore implements CheckpointStore {
  /** The run directory. */
  readonly dir: string;
  readonly #keep: number;
  readonly #sites: boolean;
  readonly #next = new Map<string, number>();
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(options: FileCheckpointStoreOptions) {
    if (typeof options.dir !== 'string' || options.dir === '') {
      invalidOption('FileCheckpointStore', 'dir', options.dir, 'a non-empty directory path');
    }
    this.dir = options.dir;
    this.#keep = assertInteger('FileCheckpointStore', 'keep', options.keep ?? 5, 2);
    this.#sites = options.sites === true;
  }

  #keyDir(runId: string, key: string): string {
    return join(this.dir, segment(runId), segment(key));
  }

  save<S>(input: CheckpointInput<S>): Promise<Checkpoint<S>> {
    if (input.runId === '' || input.key === '') {
      invalidOption('FileCheckpointStore.save', 'runId/key', '', 'non-empty strings');
    }
    const dir = this.#keyDir(input.runId, input.key);
    // Saves to one key are serialised so that sequence numbers never collide.
    const previous = this.#locks.get(dir) ?? Promise.resolve();
    const next = previous.then(
      () => this.#save(dir, input),
      () => this.#save(dir, input),
    );
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.#locks.set(dir, settled);
    void settled.then(() => {
      if (this.#locks.get(dir) === settled) this.#locks.delete(dir);
    });
    return next;
  }

  async #save<S>(dir: string, input: CheckpointInput<S>): Promise<Checkpoint<S>> {
    let seq = this.#next.get(dir);
    let existing: number[] | undefined;
    if (seq === undefined) {
      existing = await seqsIn(dir);
      seq = (existing.at(-1) ?? 0) + 1;
    }
    const { text, checkpoint } = encodeCheckpoint(input, seq);
    await writeSite(
      input.runId,
      input.key,
      seq,
      () => writeFileAtomic(join(dir, fileName(seq)), text),
      this.#sites,
    );
    this.#next.set(dir, seq + 1);
    const oldest = seq - this.#keep;
    if (oldest >= 1) {
      const stale = (existing ?? (await seqsIn(dir))).filter((s) => s <= oldest);
      await Promise.all(stale.map((s) => rm(join(dir, fileName(s)), { force: true })));
    }
    return checkpoint;
  }

  async load<S = unknown>(runId: string, key: string): Promise<CheckpointLoad<S>> {
    const dir = this.#keyDir(runId, key);
    const seqs = await seqsIn(dir);
    return loadVerified<S>(
      runId,
      key,
      seqs.reverse(),
      (seq) => readFile(join(dir, fileName(seq)), 'utf8'),
      this.#sites,
    );
  }

  async list(runId: string, key?: string): Promise<readonly CheckpointEntry[]> {
    const runDir = join(this.dir, segment(runId));
    const keys =
      key === undefined ? (await entries(runDir)).map((name) => decodeURIComponent(name)) : [key];
    const out: CheckpointEntry[] = [];
    for (const k of keys.sort()) {
      for (const seq of await seqsIn(this.#keyDir(runId, k))) out.push({ runId, key: k, seq });
    }
    return out;
  }

  async delete(runId: string, key?: string): Promise<number> {
    const found = await this.list(runId, key);
    const dir = key === undefined ? join(this.dir, segment(runId)) : this.#keyDir(runId, key);
    await rm(dir, { recursive: true, force: true });
    for (const k of new Set(found.map((e) => e.key))) this.#next.delete(this.#keyDir(runId, k));
    return found.length;
  }
}
