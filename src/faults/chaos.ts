import { onAbort } from '../core/index.ts';
import type { ChaosConfig } from './config.ts';
import { ambient, currentScope, frameStorage } from './frames.ts';
import { ChaosScope, type ExecuteOptions } from './scope.ts';
import type { InjectionSite } from './types.ts';

/** What `chaos.run` hands to the function it runs. */
export interface ChaosRunContext {
  /** The scope: its seed, journal, kill switch and events. */
  readonly scope: ChaosScope;
  /** The run's signal (aborts with the `signal` passed to `chaos.run`), or a never-aborting one. */
  readonly signal: AbortSignal;
}

/** Options of `chaos.run`. */
export interface ChaosRunOptions {
  /**
   * Aborting it stops injection at once, releases everything the scope holds and makes
   * `chaos.run` reject with the signal's reason.
   * @default undefined
   */
  readonly signal?: AbortSignal;
}

const never = new AbortController().signal;

async function invoke<T>(run: () => T | PromiseLike<T>): Promise<T> {
  return await run();
}

/**
 * Runs `fn` inside a chaos scope: calls made by wrapped functions, decorated methods and
 * interceptors within it (and in everything it starts asynchronously) get faults; nothing
 * outside does. When `fn` settles, throws, or `options.signal` aborts, the scope ends: no
 * injection after that, even from callbacks it left behind; delayed and hung calls proceed;
 * memory and threads are released.
 */
function run<T>(
  config: ChaosConfig | ChaosScope,
  fn: (context: ChaosRunContext) => T | PromiseLike<T>,
  options: ChaosRunOptions = {},
): Promise<T> {
  const scope = config instanceof ChaosScope ? config : new ChaosScope(config);
  const { signal } = options;
  if (signal?.aborted === true) {
    scope.abort();
    return Promise.reject(signal.reason as Error);
  }
  const context: ChaosRunContext = { scope, signal: signal ?? never };
  ambient.runs++;
  let removeAbort: (() => void) | undefined;
  const work = frameStorage.run({ scope, operation: undefined }, () => invoke(() => fn(context)));
  const guarded =
    signal === undefined
      ? work
      : new Promise<T>((resolve, reject) => {
          removeAbort = onAbort(signal, () => {
            scope.abort('the scope was aborted by its signal');
            reject(signal.reason as Error);
          });
          work.then(resolve, reject);
        });
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    ambient.runs--;
    removeAbort?.();
    scope.end();
  };
  return guarded.then(
    (value) => {
      finish();
      return value;
    },
    (error: unknown) => {
      finish();
      throw error;
    },
  );
}

/** The scope in effect here: the innermost `chaos.run`, else the global one, else `undefined`. */
function current(): ChaosScope | undefined {
  return currentScope();
}

/**
 * Runs `fn` as a call to `site` under the scope in effect (see {@link ChaosScope.execute});
 * outside any active scope it just runs `fn`.
 */
function execute<T>(
  site: InjectionSite,
  fn: () => T | PromiseLike<T>,
  options?: ExecuteOptions,
): Promise<T> {
  const scope = currentScope();
  if (scope === undefined || !scope.active) return invoke(fn);
  return scope.execute(site, fn, options);
}

/**
 * Sets (or, with `undefined` or a disabled config, clears) the process-wide scope used outside
 * any `chaos.run`, e.g. from `chaosConfigFromEnv()`. The previous global scope is ended.
 * Returns the new scope, or `undefined` when chaos is now off globally.
 */
function configure(config: ChaosConfig | undefined): ChaosScope | undefined {
  ambient.global?.end();
  ambient.global = undefined;
  if (config === undefined) return undefined;
  const scope = new ChaosScope(config);
  if (scope.enabled) ambient.global = scope;
  return ambient.global;
}

/**
 * The chaos scope API.
 *
 * @example
 * ```ts
 * const result = await chaos.run(
 *   { enabled: true, seed: 7, failureRate: 0.3, types: ['network', 'error'] },
 *   async ({ scope }) => {
 *     const answer = await agent.run(task); // its wrapped tools get faults
 *     return { answer, journal: scope.journal.toJsonLines() };
 *   },
 * );
 * ```
 */
export const chaos = { run, current, execute, configure } as const;
