import type { CorruptionFaultSpec } from './kinds/corruption.ts';
import type { CrashFaultSpec } from './kinds/crash.ts';
import type { HallucinationFaultSpec } from './kinds/hallucination.ts';
import type { HangFaultSpec } from './kinds/hang.ts';
import type { LatencyFaultSpec } from './kinds/latency.ts';
import { chaosDecorator, type ChaosDecorator, type WithChaosOptions } from './with-chaos.ts';

/** A fault spec without its kind, as the `inject…` decorators take it. */
export type InjectOptions<S> = Omit<S, 'kind'>;

type SiteOptions = Omit<WithChaosOptions, 'faults'>;

function inject(kind: string, spec: object, site: SiteOptions): ChaosDecorator {
  return chaosDecorator({ ...site, faults: [{ ...spec, kind }] });
}

/**
 * Decorator (or wrapper): the method crashes with an `AgentCrashError` on some calls, inside an
 * active chaos scope.
 *
 * @example
 * ```ts
 * class Uploader {
 *   @injectCrash({ probability: 0.1, atProgress: 0.5 })
 *   async upload(files: File[]) { ... }
 * }
 * const flaky = injectCrash({ probability: 0.1 })(upload); // as a plain wrapper
 * ```
 */
export function injectCrash(
  options: InjectOptions<CrashFaultSpec> = {},
  site: SiteOptions = {},
): ChaosDecorator {
  return inject('crash', options, site);
}

/** Decorator (or wrapper): calls are delayed (a `latency` fault). */
export function injectDelay(
  options: InjectOptions<LatencyFaultSpec> = {},
  site: SiteOptions = {},
): ChaosDecorator {
  return inject('latency', options, site);
}

/** Decorator (or wrapper): calls hang until the caller aborts, or for `ms` (a `hang` fault). */
export function injectTimeout(
  options: InjectOptions<HangFaultSpec> = {},
  site: SiteOptions = {},
): ChaosDecorator {
  return inject('hang', options, site);
}

/** Decorator (or wrapper): results come back plausibly wrong (a `hallucination` fault). */
export function injectHallucination(
  options: InjectOptions<HallucinationFaultSpec> = {},
  site: SiteOptions = {},
): ChaosDecorator {
  return inject('hallucination', options, site);
}

/** Decorator (or wrapper): results come back damaged (a `corruption` fault). */
export function injectMessageCorruption(
  options: InjectOptions<CorruptionFaultSpec> = {},
  site: SiteOptions = {},
): ChaosDecorator {
  return inject('corruption', options, site);
}
