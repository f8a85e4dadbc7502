import { FaultlineError, type FaultlineErrorOptions } from '../../core/index.ts';
import { codeGuard } from './code-guard.ts';

/**
 * A stored checkpoint failed its integrity check (checksum mismatch, unreadable, or not the
 * record it claims to be). Loading skips it and falls back to the previous checkpoint.
 */
export class CheckpointCorruptError extends FaultlineError {
  override readonly name = 'CheckpointCorruptError';
  readonly runId: string;
  /** The checkpoint's key (usually the agent's path). */
  readonly key: string;
  /** The checkpoint's sequence number within its key. */
  readonly seq: number;
  /** What was wrong, e.g. `checksum mismatch`. */
  readonly detail: string;

  constructor(
    runId: string,
    key: string,
    seq: number,
    detail: string,
    options: FaultlineErrorOptions = {},
  ) {
    super(
      'FL_CHECKPOINT_CORRUPT',
      `checkpoint ${key}#${seq} of run ${runId} is corrupt: ${detail}`,
      options,
    );
    this.runId = runId;
    this.key = key;
    this.seq = seq;
    this.detail = detail;
  }
}

/** True when `error` is a {@link CheckpointCorruptError} (matched by code `FL_CHECKPOINT_CORRUPT`). */
export const isCheckpointCorruptError = codeGuard<CheckpointCorruptError>('FL_CHECKPOINT_CORRUPT');
