import { chaos } from '../../faults/index.ts';
import { CheckpointCorruptError } from '../errors/checkpoint-corrupt-error.ts';
import { decodeCheckpoint } from './checkpoint-codec.ts';
import type { CheckpointLoad } from './types.ts';

/**
 * Reads the records of a key newest first until one verifies. With `sites`, each read is the
 * injection site `checkpoint.read` (path `<runId>/<key>#<seq>`), so storage faults and
 * corruption reach it. @internal
 */
export async function loadVerified<S>(
  runId: string,
  key: string,
  newestFirst: readonly number[],
  read: (seq: number) => Promise<string>,
  sites: boolean,
): Promise<CheckpointLoad<S>> {
  let corrupt: CheckpointCorruptError[] | undefined;
  for (const seq of newestFirst) {
    let raw: unknown;
    try {
      raw = sites
        ? await chaos.execute(
            { operation: 'checkpoint.read', path: `${runId}/${key}#${seq}` },
            () => read(seq),
          )
        : await read(seq);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      (corrupt ??= []).push(
        new CheckpointCorruptError(runId, key, seq, `unreadable: ${reason}`, { cause: error }),
      );
      continue;
    }
    try {
      return { checkpoint: decodeCheckpoint<S>(raw, { runId, key, seq }), corrupt: corrupt ?? [] };
    } catch (error) {
      (corrupt ??= []).push(error as CheckpointCorruptError);
    }
  }
  return { checkpoint: undefined, corrupt: corrupt ?? [] };
}

/** Runs a store write, as the injection site `checkpoint.write` with `sites`. @internal */
export async function writeSite(
  runId: string,
  key: string,
  seq: number,
  write: () => Promise<void> | void,
  sites: boolean,
): Promise<void> {
  if (!sites) {
    await write();
    return;
  }
  await chaos.execute({ operation: 'checkpoint.write', path: `${runId}/${key}#${seq}` }, write);
}
