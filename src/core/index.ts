export type { Clock, TimerHandle } from './clock.ts';
export { realClock } from './real-clock.ts';
export { VirtualClock, type VirtualClockOptions } from './virtual-clock.ts';
export { createRandom, randomSeeded, type Random, type Seed } from './random.ts';
export { channelNames, type ChannelKey } from './channels.ts';
export {
  Emitter,
  faultlineChannel,
  type ChannelMessage,
  type Event,
  type Subscription,
} from './events.ts';
export {
  abortReason,
  isAbortError,
  linkedController,
  neverAbortedSignal,
  onAbort,
} from './abort.ts';
export {
  injectedFaultInfo,
  isInjectedFault,
  markInjected,
  type InjectedFaultInfo,
} from './injected-fault.ts';
export {
  assertFiniteNumber,
  assertFunction,
  assertInteger,
  assertIntegerOrInfinity,
  assertNonNegativeNumber,
  assertOneOf,
  assertPositiveNumber,
  assertProbability,
  assertRecord,
  describeValue,
  invalidOption,
} from './options.ts';
export { writeFileAtomic } from './atomic-write.ts';
export type { JsonObject, JsonValue } from './types.ts';
export * from './errors/index.ts';
