import type { ChaosScope, InjectionPlan } from '../faults/index.ts';

/** True while the scope injects (a call, so a check after an await is not narrowed away). @internal */
export function injecting(scope: ChaosScope): boolean {
  return scope.active;
}

/** A wait before the call: a `delay` (no error) or a `hang` (`ms` undefined: until aborted). */
interface Wait {
  readonly ms: number | undefined;
  readonly error: Error | undefined;
}

/**
 * A plan regrouped by when each effect acts on a native call (the plan is already in order and
 * has its masked effects removed; the first effect of each group wins). @internal
 */
export interface NativeEffects {
  /** Delays and hangs, in order, before anything else. */
  readonly waits: readonly Wait[];
  /** Fail instead of making the call. */
  readonly fail: Error | undefined;
  /** Only `fraction` of the data gets through, then `error` (`partial-write`, `crash-at`). */
  readonly cut: { readonly fraction: number; readonly error: Error } | undefined;
  /** The call is made and its result lost (`fail-after`). */
  readonly failAfter: Error | undefined;
  /** The call is cut off after `afterMs` if still running. */
  readonly interrupt: { readonly afterMs: number; readonly error: Error } | undefined;
  /** Applied to the result, in order. */
  readonly transforms: readonly ((value: unknown) => unknown)[];
}

/** Regroups a plan's effects for a native interceptor. @internal */
export function nativeEffects(plan: InjectionPlan): NativeEffects {
  const waits: Wait[] = [];
  const transforms: ((value: unknown) => unknown)[] = [];
  let fail: Error | undefined;
  let cut: NativeEffects['cut'];
  let failAfter: Error | undefined;
  let interrupt: NativeEffects['interrupt'];
  for (const { effect } of plan.injections) {
    switch (effect.type) {
      case 'pressure':
        break; // the scope started it when it planned the call
      case 'delay':
        waits.push({ ms: effect.ms, error: undefined });
        break;
      case 'hang':
        waits.push({ ms: effect.ms, error: effect.error });
        break;
      case 'fail':
        fail ??= effect.error;
        break;
      case 'crash-at':
        cut ??= { fraction: effect.progress, error: effect.error };
        break;
      case 'partial-write':
        cut ??= { fraction: effect.fraction, error: effect.error };
        break;
      case 'fail-after':
        failAfter ??= effect.error;
        break;
      case 'interrupt':
        if (interrupt === undefined || effect.afterMs < interrupt.afterMs) interrupt = effect;
        break;
      case 'transform':
        transforms.push(effect.transform);
        break;
    }
  }
  return { waits, fail, cut, failAfter, interrupt, transforms };
}

/**
 * Runs the waits in order on the scope's clock; throws a hang's error when it runs its course.
 * Stops early (and the call proceeds) once the scope stops. @internal
 */
export async function runWaits(
  scope: ChaosScope,
  waits: readonly Wait[],
  signal: AbortSignal | undefined,
): Promise<void> {
  for (const { ms, error } of waits) {
    if (!scope.active) return;
    if ((await scope.wait(ms, signal)) && error !== undefined) throw error;
  }
}

/** A native call as an interceptor hands it to {@link applyPlan}. @internal */
export interface NativeCall<T> {
  /** Makes the real call. */
  readonly run: () => Promise<T>;
  /** Writes only the first `fraction` of the data, for calls that carry data. */
  readonly partial?: ((fraction: number) => Promise<unknown>) | undefined;
  /** Applies a transform to a result. @default the transform itself */
  readonly transform?: ((value: T, transform: (value: unknown) => unknown) => T) | undefined;
}

/**
 * Rejects with `error` if `work` is still running after `afterMs` (and the scope injects).
 * @internal
 */
export function interruptAfter<T>(
  scope: ChaosScope,
  work: Promise<T>,
  interrupt: { readonly afterMs: number; readonly error: Error },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = scope.clock.setTimer(interrupt.afterMs, () => {
      if (scope.active) reject(interrupt.error);
    });
    work
      .finally(() => {
        scope.clock.clearTimer(timer);
      })
      .then(resolve, reject);
  });
}

/**
 * Applies a plan to an asynchronous native call (the interceptors' counterpart of
 * `ChaosScope.execute`, with a real partial write where the call carries data). @internal
 */
export async function applyPlan<T>(
  scope: ChaosScope,
  plan: InjectionPlan,
  call: NativeCall<T>,
  signal?: AbortSignal,
): Promise<T> {
  const effects = nativeEffects(plan);
  await runWaits(scope, effects.waits, signal);
  if (effects.fail !== undefined && scope.active) throw effects.fail;
  const { cut } = effects;
  if (cut !== undefined && call.partial !== undefined && scope.active) {
    await call.partial(cut.fraction);
    throw cut.error;
  }
  let work = call.run();
  if (effects.interrupt !== undefined && scope.active) {
    work = interruptAfter(scope, work, effects.interrupt);
  }
  let value = (await work) as T;
  const lost = cut?.error ?? effects.failAfter;
  if (lost !== undefined && scope.active) throw lost;
  for (const transform of effects.transforms) {
    if (!scope.active) break;
    value =
      call.transform === undefined ? (transform(value) as T) : call.transform(value, transform);
  }
  return value;
}

/** A synchronous native call as an interceptor hands it to {@link applyPlanSync}. @internal */
export interface NativeSyncCall<T> {
  readonly run: () => T;
  readonly partial?: ((fraction: number) => unknown) | undefined;
  readonly transform?: ((value: T, transform: (value: unknown) => unknown) => T) | undefined;
}

/**
 * Applies a plan to a synchronous call. A synchronous call cannot wait without blocking the
 * event loop, so delays are skipped, a hang with an error fails at once, and an interrupt
 * cannot cut it short. @internal
 */
export function applyPlanSync<T>(
  scope: ChaosScope,
  plan: InjectionPlan,
  call: NativeSyncCall<T>,
): T {
  const effects = nativeEffects(plan);
  for (const wait of effects.waits) {
    if (wait.error !== undefined && wait.ms !== undefined && scope.active) throw wait.error;
  }
  if (effects.fail !== undefined && scope.active) throw effects.fail;
  const { cut } = effects;
  if (cut !== undefined && call.partial !== undefined && scope.active) {
    call.partial(cut.fraction);
    throw cut.error;
  }
  let value = call.run();
  const lost = cut?.error ?? effects.failAfter;
  if (lost !== undefined && scope.active) throw lost;
  for (const transform of effects.transforms) {
    if (!scope.active) break;
    value =
      call.transform === undefined ? (transform(value) as T) : call.transform(value, transform);
  }
  return value;
}
