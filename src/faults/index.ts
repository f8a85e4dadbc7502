export { isInjectedFault, injectedFaultInfo, type InjectedFaultInfo } from '../core/index.ts';
export type {
  EffectSummary,
  ErrorSummary,
  Fault,
  FaultBehaviour,
  FaultContext,
  FaultEffect,
  FaultEffectType,
  FaultFactory,
  FaultSpec,
  HeldResource,
  InjectionSite,
  Pattern,
  SiteField,
  TargetMatcher,
  TargetSpec,
} from './types.ts';
export * from './errors/index.ts';
export * from './kinds/index.ts';
export { SpecReader } from './spec-reader.ts';
export { compileTarget, globToRegExp } from './target.ts';
export {
  createFault,
  faultKinds,
  isFault,
  registerFaultKind,
  resolveFaultKind,
} from './registry.ts';
export { loadChaosConfig } from './load-chaos-config.ts';
export { resolveChaosConfig, type ChaosConfig, type ResolvedChaosConfig } from './config.ts';
export { chaosConfigFromEnv, chaosEnvVariables } from './env.ts';
export {
  ChaosJournal,
  describeInjection,
  type InjectionRecord,
  type JournalEntry,
  type KillSwitchTrigger,
  type ScopeStartRecord,
  type ScopeStopRecord,
  type StopReason,
} from './journal.ts';
export {
  KillSwitch,
  type ErrorRateTrip,
  type KillSwitchEvent,
  type KillSwitchOptions,
} from './kill-switch.ts';
export {
  ChaosScope,
  createChaosScope,
  type ExecuteOptions,
  type InjectionPlan,
  type PlannedInjection,
} from './scope.ts';
export { chaos, type ChaosRunContext, type ChaosRunOptions } from './chaos.ts';
export { reportProgress } from './progress.ts';
export {
  withChaos,
  type AsyncFunction,
  type ChaosDecorator,
  type WithChaosOptions,
} from './with-chaos.ts';
export {
  injectCrash,
  injectDelay,
  injectHallucination,
  injectMessageCorruption,
  injectTimeout,
  type InjectOptions,
} from './decorators.ts';
export {
  ChaosEngine,
  type ChaosTestContext,
  type ChaosTestInjection,
  type ChaosTestOptions,
  type ChaosTestResult,
  type FailedOperation,
} from './engine.ts';
