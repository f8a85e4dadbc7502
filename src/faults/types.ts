import type { Clock, Random } from '../core/index.ts';
import type { SpecReader } from './spec-reader.ts';

/**
 * Where an operation is about to run: what an injector matches faults against. Wrappers,
 * decorators and interceptors describe each call with one of these.
 *
 * @example
 * ```ts
 * const site: InjectionSite = { operation: 'tool:search', tool: 'search', agent: 'product' };
 * ```
 */
export interface InjectionSite {
  /** What is being done, e.g. `'tool:search'`, `'llm.generate'`, `'fetch'`, `'fs.writeFile'`. */
  readonly operation: string;
  /** The tool being called, if any. */
  readonly tool?: string;
  /** The agent making the call, if any. */
  readonly agent?: string;
  /** The URL being requested, if any. */
  readonly url?: string;
  /** The host being contacted; derived from `url` when absent. */
  readonly host?: string;
  /** The file being accessed, if any. */
  readonly path?: string;
  /** The command being spawned, if any. */
  readonly command?: string;
}

/** The fields of an {@link InjectionSite} a target can match. */
export type SiteField = 'operation' | 'tool' | 'agent' | 'url' | 'host' | 'path' | 'command';

/**
 * Matches one field of a site. In a config file: a glob string (`*` matches any run of
 * characters, `?` one character; the whole value must match) or `{ "regex": "...", "flags": "i" }`.
 * From code, also a `RegExp` or a predicate.
 */
export type Pattern =
  | string
  | { readonly regex: string; readonly flags?: string }
  | RegExp
  | ((value: string) => boolean);

/**
 * Which calls a fault applies to. Every field given must match (an array matches when any of its
 * patterns does); a site lacking a field that the target names does not match.
 *
 * @example
 * ```ts
 * const target: TargetSpec = { tool: ['search', 'lookup-*'], url: { regex: '^https://api\\.' } };
 * ```
 */
export interface TargetSpec {
  readonly operation?: Pattern | readonly Pattern[];
  readonly tool?: Pattern | readonly Pattern[];
  readonly agent?: Pattern | readonly Pattern[];
  readonly url?: Pattern | readonly Pattern[];
  readonly host?: Pattern | readonly Pattern[];
  readonly path?: Pattern | readonly Pattern[];
  readonly command?: Pattern | readonly Pattern[];
  /** Code only: an extra predicate over the whole site. */
  readonly where?: (site: InjectionSite) => boolean;
}

/** A compiled {@link TargetSpec}. */
export type TargetMatcher = (site: InjectionSite) => boolean;

/**
 * A fault as written in a config file, the CLI or an API body: plain JSON with a `kind` and the
 * kind's own fields.
 *
 * @example
 * ```json
 * { "kind": "error", "name": "llm-rate-limit", "type": "rate-limited", "retryAfterMs": 2000,
 *   "probability": 0.2, "target": { "operation": "llm.*" } }
 * ```
 */
export interface FaultSpec {
  /** A registered kind: `crash`, `latency`, `hang`, `error`, `network`, ... */
  readonly kind: string;
  /**
   * Unique name within a config; names the fault in journals, reports and injected errors.
   * @default the kind
   */
  readonly name?: string;
  /**
   * Chance (0..1) that the fault fires on a matching call. `toxicity` is accepted as an alias.
   * @default the config's `probabilities[name]`, `probabilities[kind]`, else its `failureRate`
   */
  readonly probability?: number;
  /** Same as `probability`, as Toxiproxy calls it. */
  readonly toxicity?: number;
  /**
   * Most times the fault is applied within one scope (one run): `1` for a fault that strikes
   * once, e.g. an agent that crashes once and then recovers when restarted. Once reached, the
   * fault no longer draws or fires in that scope; a masked injection does not count.
   * @default unlimited
   */
  readonly maxInjections?: number;
  /**
   * Which calls the fault applies to.
   * @default every call
   */
  readonly target?: TargetSpec;
  /** The kind's own fields. */
  readonly [field: string]: unknown;
}

/** A long-lived side effect a fault started (memory ballast, busy CPU workers). */
export interface HeldResource {
  /** Stops the pressure and frees what was held; calling it twice does nothing. */
  release(): void;
}

/**
 * What a fault does to one call. The injector (and each interceptor, natively) applies it:
 *
 * ```
 * pressure -> delay / hang -> fail -> run the operation (crash-at, interrupt) -> fail-after /
 * partial-write -> transform -> caller
 * ```
 */
export type FaultEffect =
  /** Throw `error` instead of running the operation. */
  | { readonly type: 'fail'; readonly error: Error }
  /** Wait `ms`, then run the operation. */
  | { readonly type: 'delay'; readonly ms: number }
  /**
   * Wait until the caller's signal aborts; with `ms`, stop waiting after `ms` and then throw
   * `error` if given, else run the operation.
   */
  | { readonly type: 'hang'; readonly ms: number | undefined; readonly error: Error | undefined }
  /** Run the operation; the caller gets `error` instead of its result (response lost). */
  | { readonly type: 'fail-after'; readonly error: Error }
  /** Run the operation; if it is still running after `afterMs`, the caller gets `error`. */
  | { readonly type: 'interrupt'; readonly afterMs: number; readonly error: Error }
  /**
   * Run the operation; throw `error` from its `reportProgress(fraction)` call once `fraction`
   * reaches `progress`, or when it completes without having reported that far.
   */
  | { readonly type: 'crash-at'; readonly progress: number; readonly error: Error }
  /**
   * Only `fraction` of the data reaches its destination, then `error`. Interceptors write the
   * prefix; a wrapped function runs and the caller gets `error`.
   */
  | { readonly type: 'partial-write'; readonly fraction: number; readonly error: Error }
  /** Run the operation and hand the caller `transform(result)` instead of its result. */
  | {
      readonly type: 'transform';
      readonly description: string;
      readonly transform: (value: unknown) => unknown;
    }
  /** Start `acquire()` (held for `durationMs`, released early when the scope stops); run the operation. */
  | {
      readonly type: 'pressure';
      readonly resource: string;
      readonly amount: number;
      readonly durationMs: number;
      readonly acquire: () => HeldResource;
    };

/** The `type` of a {@link FaultEffect}. */
export type FaultEffectType = FaultEffect['type'];

/** What a fault sees when it decides how to affect a call. */
export interface FaultContext {
  /** The call being affected. */
  readonly site: InjectionSite;
  /** This fault's own stream in this scope (a fork of the run's random by fault name). */
  readonly random: Random;
  /** The scope's clock. */
  readonly clock: Clock;
  /** `clock.now()` when the call was planned. */
  readonly now: number;
  /** The run's seed. */
  readonly seed: string;
  /** State private to this fault in this scope (e.g. partitions in force). */
  readonly state: Map<string, unknown>;
}

/** What a fault does: the part a kind's factory supplies. */
export interface FaultBehaviour {
  /** The effect on one call that the fault fires on; `undefined` to do nothing this time. */
  effect(context: FaultContext): FaultEffect | undefined;
  /**
   * Optional capability: an effect that applies without a draw, for state the fault holds across
   * calls (e.g. a network partition in force for a host). Checked before the probability draw.
   */
  sticky?(context: FaultContext): FaultEffect | undefined;
}

/**
 * A fault: a small object with a kind, a name, a probability, a target and an effect. Create
 * faults from JSON with `createFault(spec)`; register a {@link FaultFactory} with
 * `registerFaultKind` for a new kind.
 */
export interface Fault extends FaultBehaviour {
  /** The registered kind, e.g. `'network'`. */
  readonly kind: string;
  /** Unique name within a config. */
  readonly name: string;
  /** Chance (0..1) of firing on a matching call; `undefined` defers to the config. */
  readonly probability: number | undefined;
  /** Which calls it applies to; `undefined` for every call. */
  readonly target: TargetMatcher | undefined;
  /**
   * Most times it is applied per scope; `undefined` (or absent) for no limit. See
   * {@link FaultSpec.maxInjections}.
   */
  readonly maxInjections?: number | undefined;
  /** The spec it was created from (for journals and reports). */
  readonly spec: FaultSpec;
}

/**
 * Builds a fault kind's behaviour from its spec. Read the kind's own fields through `read`
 * (which validates them and, afterwards, rejects unknown ones); the common fields (`kind`,
 * `name`, `probability`, `toxicity`, `target`, `maxInjections`) are handled by the registry.
 *
 * @example
 * ```ts
 * registerFaultKind('teapot', (read) => {
 *   const message = read.string('message') ?? 'I am a teapot';
 *   return { effect: () => ({ type: 'fail', error: new Error(message) }) };
 * });
 * ```
 */
export type FaultFactory = (read: SpecReader, spec: FaultSpec) => FaultBehaviour;

/** A JSON description of an effect, as journals and reports show it. */
export interface EffectSummary {
  readonly type: FaultEffectType;
  /** Delay, hang, interrupt or pressure duration in ms. */
  readonly ms?: number;
  /** Crash or partial-write fraction. */
  readonly fraction?: number;
  /** What a transform or pressure does. */
  readonly description?: string;
  /** The error the caller gets. */
  readonly error?: ErrorSummary;
}

/** A JSON description of an error. */
export interface ErrorSummary {
  readonly name: string;
  readonly message: string;
  readonly code?: string | number;
  readonly status?: number;
}
