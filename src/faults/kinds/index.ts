import type { CorruptionFaultSpec } from './corruption.ts';
import type { CpuFaultSpec } from './cpu.ts';
import type { CrashFaultSpec } from './crash.ts';
import type { DiskFaultSpec } from './disk.ts';
import type { ErrorFaultSpec } from './error.ts';
import type { HallucinationFaultSpec } from './hallucination.ts';
import type { HangFaultSpec } from './hang.ts';
import type { LatencyFaultSpec } from './latency.ts';
import type { MemoryFaultSpec } from './memory.ts';
import type { NetworkFaultSpec } from './network.ts';
import type { ProcessFaultSpec } from './process.ts';

export { crashFault, type CrashFaultSpec } from './crash.ts';
export {
  createLatencySampler,
  latencyFault,
  type LatencyDistribution,
  type LatencyFaultSpec,
  type LatencyOptions,
} from './latency.ts';
export { hangFault, type HangFaultSpec } from './hang.ts';
export { errorFault, type ErrorFaultSpec } from './error.ts';
export {
  hallucinationFault,
  type HallucinationFaultSpec,
  type HallucinationMode,
  type HallucinationMutator,
} from './hallucination.ts';
export { corruptionFault, type CorruptionFaultSpec, type CorruptionMode } from './corruption.ts';
export {
  networkError,
  networkFault,
  type NetworkErrorCode,
  type NetworkFaultSpec,
} from './network.ts';
export { diskFault, type DiskErrorCode, type DiskFaultSpec } from './disk.ts';
export {
  allocateBallast,
  allocationFailure,
  memoryFault,
  type Ballast,
  type MemoryFaultSpec,
} from './memory.ts';
export {
  childProcessFailure,
  processFault,
  type ChildProcessFailure,
  type ProcessFaultSpec,
} from './process.ts';
export { cpuFault, saturateCpu, type CpuFaultSpec, type CpuLoad } from './cpu.ts';

/** The spec of any built-in fault kind, for typed configs. */
export type BuiltinFaultSpec =
  | CrashFaultSpec
  | LatencyFaultSpec
  | HangFaultSpec
  | ErrorFaultSpec
  | HallucinationFaultSpec
  | CorruptionFaultSpec
  | NetworkFaultSpec
  | DiskFaultSpec
  | MemoryFaultSpec
  | ProcessFaultSpec
  | CpuFaultSpec;
