import type { CheckpointCorruptError } from '../errors/checkpoint-corrupt-error.ts';

/**
 * Why a checkpoint was taken: after an agent `completed` (its output), before a `risky`
 * operation, on an `interval` of (virtual) time, to record a `side-effect` in the idempotency
 * ledger, or by the agent itself (`progress`).
 */
export type CheckpointReason = 'completed' | 'risky' | 'interval' | 'progress' | 'side-effect';

/** What is saved: where it belongs, when, why, and the state (any JSON value). */
export interface CheckpointInput<S = unknown> {
  readonly runId: string;
  /** Usually the agent's path (`orchestrator/product`); the ledger uses `ledger/<key>`. */
  readonly key: string;
  /** `clock.now()` when it was taken. */
  readonly savedAt: number;
  readonly reason: CheckpointReason;
  /** The agent's last reported progress (0..1), when known. */
  readonly progress?: number;
  /** Names the risky operation, for `reason: 'risky'`. */
  readonly label?: string;
  /** The state; must survive `JSON.stringify` (it is stored as JSON). */
  readonly state: S;
}

/** A stored checkpoint, as loaded (after its checksum was verified). */
export interface Checkpoint<S = unknown> extends CheckpointInput<S> {
  /** Position within its key: 1, 2, 3, ... (the latest has the highest). */
  readonly seq: number;
  /** `sha256:<hex>` of the stored record's body. */
  readonly checksum: string;
}

/** Where a checkpoint is stored, without reading it. */
export interface CheckpointEntry {
  readonly runId: string;
  readonly key: string;
  readonly seq: number;
}

/**
 * The result of {@link CheckpointStore.load}: the latest checkpoint that passed its integrity
 * check, and the newer ones that did not (each a `CheckpointCorruptError` naming what was wrong).
 */
export interface CheckpointLoad<S = unknown> {
  readonly checkpoint: Checkpoint<S> | undefined;
  readonly corrupt: readonly CheckpointCorruptError[];
}

/**
 * Where checkpoints live. Every record carries a SHA-256 checksum verified on load; a corrupt
 * record is reported and skipped, and the previous one is used. Implementations: a directory
 * of files ({@link FileCheckpointStore}), memory ({@link MemoryCheckpointStore}); a database
 * fits the same four methods (the `encodeCheckpoint` / `decodeCheckpoint` helpers do the
 * integrity part).
 */
export interface CheckpointStore {
  /** Stores a new checkpoint under its key, numbered after the previous ones. */
  save<S>(input: CheckpointInput<S>): Promise<Checkpoint<S>>;
  /** The latest valid checkpoint of `key` in `runId`, falling back past corrupt ones. */
  load<S = unknown>(runId: string, key: string): Promise<CheckpointLoad<S>>;
  /** Stored checkpoints of a run (or of one key), oldest first within each key. */
  list(runId: string, key?: string): Promise<readonly CheckpointEntry[]>;
  /** Deletes a run's checkpoints (or one key's); returns how many were deleted. */
  delete(runId: string, key?: string): Promise<number>;
}
