import { invalidOption } from '../../core/index.ts';
import type { Policy } from '../../policies/index.ts';
import type {
  Checkpoint,
  CheckpointEntry,
  CheckpointInput,
  CheckpointLoad,
  CheckpointStore,
} from './types.ts';

/**
 * A store whose every operation runs under `policy` (typically a retry), so that a transient
 * storage failure (a disk or network fault at `checkpoint.write`) does not fail the agent that
 * was saving. Corrupt records are not errors: `load` reports them and falls back by itself.
 *
 * @example
 * ```ts
 * const store = withStorePolicy(new FileCheckpointStore({ dir }), retry({ maxAttempts: 3 }));
 * ```
 */
export function withStorePolicy(store: CheckpointStore, policy: Policy): CheckpointStore {
  if (typeof (store as Partial<CheckpointStore> | undefined)?.save !== 'function') {
    invalidOption('withStorePolicy', 'store', store, 'a CheckpointStore');
  }
  if (typeof (policy as Partial<Policy> | undefined)?.execute !== 'function') {
    invalidOption('withStorePolicy', 'policy', policy, 'a Policy');
  }
  return {
    save: <S>(input: CheckpointInput<S>): Promise<Checkpoint<S>> =>
      policy.execute(() => store.save(input)),
    load: <S = unknown>(runId: string, key: string): Promise<CheckpointLoad<S>> =>
      policy.execute(() => store.load<S>(runId, key)),
    list: (runId: string, key?: string): Promise<readonly CheckpointEntry[]> =>
      policy.execute(() => store.list(runId, key)),
    delete: (runId: string, key?: string): Promise<number> =>
      policy.execute(() => store.delete(runId, key)),
  };
}
