import { createHash } from 'node:crypto';
import { CheckpointCorruptError } from '../errors/checkpoint-corrupt-error.ts';
import type { Checkpoint, CheckpointEntry, CheckpointInput, CheckpointReason } from './types.ts';

const format = 'faultline-checkpoint/1';
const reasons: ReadonlySet<string> = new Set<CheckpointReason>([
  'completed',
  'risky',
  'interval',
  'progress',
  'side-effect',
]);

function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/**
 * Serialises a checkpoint for storage: a header line `{"format","checksum"}` followed by the
 * JSON body; the checksum is the SHA-256 of the body. Throws when the state is not JSON
 * (a cycle, a BigInt) or serialises to nothing.
 */
export function encodeCheckpoint<S>(
  input: CheckpointInput<S>,
  seq: number,
): { readonly text: string; readonly checkpoint: Checkpoint<S> } {
  const kind = typeof input.state;
  if (kind === 'undefined' || kind === 'function' || kind === 'symbol') {
    throw new TypeError(
      `checkpoint ${input.key} of run ${input.runId}: state must be a JSON value, got ${kind}`,
    );
  }
  const body = JSON.stringify({
    runId: input.runId,
    key: input.key,
    seq,
    savedAt: input.savedAt,
    reason: input.reason,
    ...(input.progress === undefined ? {} : { progress: input.progress }),
    ...(input.label === undefined ? {} : { label: input.label }),
    state: input.state,
  });
  const checksum = sha256(body);
  return {
    text: `${JSON.stringify({ format, checksum })}\n${body}`,
    checkpoint: { ...input, seq, checksum },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses and verifies a stored checkpoint: the format, the checksum of the body, and that it is
 * the record `expected` names. Throws a {@link CheckpointCorruptError} saying what is wrong.
 */
export function decodeCheckpoint<S = unknown>(
  raw: unknown,
  expected: CheckpointEntry,
): Checkpoint<S> {
  const corrupt = (detail: string): CheckpointCorruptError =>
    new CheckpointCorruptError(expected.runId, expected.key, expected.seq, detail);
  if (typeof raw !== 'string') throw corrupt(`expected text, got ${typeof raw}`);
  const newline = raw.indexOf('\n');
  if (newline < 0) throw corrupt('no header line');
  let header: unknown;
  try {
    header = JSON.parse(raw.slice(0, newline));
  } catch {
    throw corrupt('unreadable header');
  }
  if (!isRecord(header) || header.format !== format || typeof header.checksum !== 'string') {
    throw corrupt(`not a ${format} record`);
  }
  const body = raw.slice(newline + 1);
  const checksum = sha256(body);
  if (checksum !== header.checksum) {
    throw corrupt(
      `checksum mismatch (stored ${header.checksum.slice(0, 19)}..., computed ${checksum.slice(0, 19)}...)`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw corrupt('unreadable body');
  }
  if (
    !isRecord(parsed) ||
    parsed.runId !== expected.runId ||
    parsed.key !== expected.key ||
    parsed.seq !== expected.seq
  ) {
    throw corrupt('the record belongs elsewhere (run, key or sequence number differ)');
  }
  const { savedAt, reason, progress, label } = parsed;
  if (typeof savedAt !== 'number' || typeof reason !== 'string' || !reasons.has(reason)) {
    throw corrupt('missing savedAt or reason');
  }
  return {
    runId: expected.runId,
    key: expected.key,
    seq: expected.seq,
    savedAt,
    reason: reason as CheckpointReason,
    ...(typeof progress === 'number' ? { progress } : {}),
    ...(typeof label === 'string' ? { label } : {}),
    state: parsed.state as S,
    checksum,
  };
}
