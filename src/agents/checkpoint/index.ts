export type {
  Checkpoint,
  CheckpointEntry,
  CheckpointInput,
  CheckpointLoad,
  CheckpointReason,
  CheckpointStore,
} from './types.ts';
export { decodeCheckpoint, encodeCheckpoint } from './checkpoint-codec.ts';
export {
  MemoryCheckpointStore,
  type MemoryCheckpointStoreOptions,
} from './memory-checkpoint-store.ts';
export { FileCheckpointStore, type FileCheckpointStoreOptions } from './file-checkpoint-store.ts';
export { withStorePolicy } from './with-store-policy.ts';
