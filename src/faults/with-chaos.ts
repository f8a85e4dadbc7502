import type { ChaosConfig } from './config.ts';
import { ambient, currentScope } from './frames.ts';
import { buildFault, isFault } from './registry.ts';
import { ChaosScope } from './scope.ts';
import { invalid } from './spec-reader.ts';
import type { Fault, FaultSpec, InjectionSite } from './types.ts';

/** Any function returning a promise: what `withChaos` wraps. */
export type AsyncFunction = (...args: never[]) => PromiseLike<unknown>;

/** Options of {@link withChaos}: which call this is, and optionally its own faults or scope. */
export interface WithChaosOptions {
  /**
   * The site's operation.
   * @default the function's (or decorated method's) name, else 'anonymous'
   */
  readonly operation?: string;
  /** @default undefined */
  readonly tool?: string;
  /** @default undefined */
  readonly agent?: string;
  /** @default undefined */
  readonly url?: string;
  /** @default undefined */
  readonly host?: string;
  /** @default undefined */
  readonly path?: string;
  /** @default undefined */
  readonly command?: string;
  /**
   * Faults declared on this function, considered after the scope's own faults, under the
   * scope's seed, types, duration, journal and kill switch. They fire only while a scope is
   * active (or when `scope`/`config` is given).
   * @default undefined
   */
  readonly faults?: readonly (FaultSpec | Fault)[];
  /**
   * A scope to always use instead of the one in effect (`chaos.run` or the global scope).
   * @default undefined
   */
  readonly scope?: ChaosScope;
  /**
   * A config for a scope of the function's own, created now; when it is not enabled, the
   * function is returned unwrapped (zero cost).
   * @default undefined
   */
  readonly config?: ChaosConfig;
  /**
   * Finds the caller's abort signal among the arguments, so that hangs end when it aborts.
   * @default the first argument that is an AbortSignal or has one as `signal`
   */
  readonly signal?: (args: readonly unknown[]) => AbortSignal | undefined;
}

/**
 * What the `inject…` functions and `withChaos(options)` return: a TypeScript (stage 3) method
 * decorator, which also works as a legacy `experimentalDecorators` decorator, and as a plain
 * wrapper when called with just a function.
 */
export interface ChaosDecorator {
  <F extends AsyncFunction>(value: F, context?: ClassMethodDecoratorContext): F;
  (target: object, key: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor;
}

function findSignal(args: readonly unknown[]): AbortSignal | undefined {
  for (const arg of args) {
    if (arg instanceof AbortSignal) return arg;
    if (typeof arg === 'object' && arg !== null) {
      const signal = (arg as { signal?: unknown }).signal;
      if (signal instanceof AbortSignal) return signal;
    }
  }
  return undefined;
}

const siteKeys = ['tool', 'agent', 'url', 'host', 'path', 'command'] as const;

function wrap<F extends AsyncFunction>(fn: F, options: WithChaosOptions, fallback: string): F {
  if (typeof fn !== 'function') invalid('withChaos', 'fn', fn, 'a function');
  if (options.scope !== undefined && options.config !== undefined) {
    invalid('withChaos', 'config', options.config, "absent when 'scope' is given");
  }
  const site: Record<string, string> = {
    operation: options.operation ?? (fallback === '' ? 'anonymous' : fallback),
  };
  for (const key of siteKeys) {
    const value = options[key];
    if (value !== undefined) site[key] = value;
  }
  const faults = options.faults?.map((f, i) =>
    isFault(f) ? f : buildFault(f, 'withChaos', `faults[${i}]`),
  );
  const fixed =
    options.scope ?? (options.config === undefined ? undefined : new ChaosScope(options.config));
  if (fixed !== undefined && !fixed.enabled) return fn;
  const signalOf = options.signal ?? findSignal;
  const target = fn as unknown as (this: unknown, ...args: unknown[]) => PromiseLike<unknown>;
  const at = site as unknown as InjectionSite;
  const wrapped = function (this: unknown, ...args: unknown[]): PromiseLike<unknown> {
    if (fixed === undefined && ambient.runs === 0 && ambient.global === undefined) {
      return target.apply(this, args);
    }
    const scope = fixed ?? currentScope();
    if (scope === undefined || !scope.active) return target.apply(this, args);
    return scope.execute(at, () => target.apply(this, args), {
      signal: signalOf(args),
      faults,
    });
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name, configurable: true });
  return wrapped as unknown as F;
}

/** Builds a decorator applying `options` (shared by `withChaos(options)` and `inject…`). */
export function chaosDecorator(options: WithChaosOptions): ChaosDecorator {
  function decorate(value: unknown, context?: unknown, descriptor?: PropertyDescriptor): unknown {
    if (descriptor !== undefined) {
      const method: unknown = descriptor.value;
      if (typeof method !== 'function') {
        invalid('withChaos', 'decorated member', method, 'a method');
      }
      const name = typeof context === 'symbol' ? (context.description ?? '') : String(context);
      return { ...descriptor, value: wrap(method as AsyncFunction, options, name) };
    }
    if (context !== undefined) {
      const ctx = context as { kind: string; name: string | symbol };
      if (ctx.kind !== 'method') invalid('withChaos', 'decorated member', ctx.kind, 'a method');
      const name = typeof ctx.name === 'symbol' ? (ctx.name.description ?? '') : ctx.name;
      return wrap(value as AsyncFunction, options, name);
    }
    const fn = value as AsyncFunction;
    return wrap(fn, options, fn.name);
  }
  return decorate as ChaosDecorator;
}

/**
 * Makes `fn` an injection point: inside an active chaos scope its calls get the scope's faults
 * (and the `faults` declared here); outside, the call goes straight to `fn` (about one branch of
 * overhead). Called with options only, it returns a method decorator.
 *
 * @example
 * ```ts
 * const search = withChaos(searchTool, { operation: 'tool:search', tool: 'search' });
 * await chaos.run({ enabled: true, seed: 1, faults: [{ kind: 'network', probability: 0.3 }] },
 *   () => agent.run(search));
 *
 * class Product {
 *   @withChaos({ faults: [{ kind: 'latency', ms: 500, probability: 0.2 }] })
 *   async publish(item: Item) { ... }
 * }
 * ```
 */
export function withChaos<F extends AsyncFunction>(fn: F, options?: WithChaosOptions): F;
export function withChaos(options?: WithChaosOptions): ChaosDecorator;
export function withChaos(
  fnOrOptions?: AsyncFunction | WithChaosOptions,
  options: WithChaosOptions = {},
): AsyncFunction | ChaosDecorator {
  if (typeof fnOrOptions === 'function') return wrap(fnOrOptions, options, fnOrOptions.name);
  return chaosDecorator(fnOrOptions ?? {});
}
