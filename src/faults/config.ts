import { realClock, randomSeeded, type Clock, type Random, type Seed } from '../core/index.ts';
import type { KillSwitchOptions, ResolvedKillSwitch } from './kill-switch.ts';
import { buildFault, faultKinds, isFault, resolveFaultKind } from './registry.ts';
import { invalid, isRecord, SpecReader } from './spec-reader.ts';
import { compileTarget } from './target.ts';
import type { Fault, FaultSpec, TargetMatcher, TargetSpec } from './types.ts';

/**
 * What to inject, how often, for how long, under which seed. Plain JSON except `clock`,
 * `random`, created faults and predicate targets, so it can come from a file, an API body, or
 * the environment ({@link chaosConfigFromEnv}).
 *
 * How often a fault fires: a fault with its own probability (its `probability`, or
 * `probabilities[name]`, or `probabilities[kind]`) fires on each matching call with that chance,
 * drawn from its own random stream. The faults without one share `failureRate`: each call gets
 * one of them (picked at random) with that chance, so `{ failureRate: 0.3, types: ['network',
 * 'error'] }` fails 30% of calls.
 *
 * @example
 * ```ts
 * const config: ChaosConfig = {
 *   enabled: true,
 *   seed: 42,
 *   failureRate: 0.3,
 *   types: ['network', 'error'],
 *   faults: [{ kind: 'latency', ms: 200, jitterMs: 100, probability: 0.5 }],
 *   target: { tool: 'search*' },
 * };
 * ```
 */
export interface ChaosConfig {
  /**
   * Chaos is off unless this is true.
   * @default false
   */
  readonly enabled?: boolean;
  /**
   * Name of the scope in events and journals.
   * @default 'chaos'
   */
  readonly name?: string;
  /**
   * The run's seed: the same seed and program replay the same injections.
   * @default a fresh seed from the operating system (exposed as `scope.seed`)
   */
  readonly seed?: Seed;
  /**
   * Chance (0..1) that a call gets one of the faults that have no probability of their own.
   * @default 0.1
   */
  readonly failureRate?: number;
  /**
   * The fault kinds allowed (`'network'`, `'DISK_IO'`, `'delay'`, ...). Faults of other kinds are
   * ignored; a listed kind without a fault in `faults` gets one with the kind's defaults.
   * @default every kind in `faults`
   */
  readonly types?: readonly string[];
  /**
   * Injection stops this many milliseconds after the scope starts (on its clock); delayed and
   * hung calls are released then.
   * @default undefined (no limit)
   */
  readonly durationMs?: number;
  /**
   * The faults, as specs (see `createFault`) or created faults.
   * @default []
   */
  readonly faults?: readonly (FaultSpec | Fault)[];
  /**
   * Probabilities by fault name or kind, for faults whose spec has none.
   * @default {}
   */
  readonly probabilities?: Readonly<Record<string, number>>;
  /**
   * Only calls matching this get faults (on top of each fault's own target).
   * @default every call
   */
  readonly target?: TargetSpec;
  /**
   * The kill switch, or `false` for none.
   * @default { errorRate: { threshold: 0.5, windowMs: 10000, minCalls: 10 } }
   */
  readonly killSwitch?: KillSwitchOptions | false;
  /**
   * Keep the journal's entries in memory (they are always emitted as events).
   * @default true
   */
  readonly journal?: boolean;
  /**
   * Source of time; pass a `VirtualClock` in tests and simulations.
   * @default realClock
   */
  readonly clock?: Clock;
  /**
   * Alternative to `seed`: only its seed is used (every stream is a fork of it).
   * @default undefined
   */
  readonly random?: Random;
}

/** A validated {@link ChaosConfig}. */
export interface ResolvedChaosConfig {
  readonly enabled: boolean;
  readonly name: string;
  readonly seed: string;
  readonly failureRate: number;
  readonly types: ReadonlySet<string> | undefined;
  readonly durationMs: number | undefined;
  readonly faults: readonly Fault[];
  readonly probabilities: ReadonlyMap<string, number>;
  readonly target: TargetMatcher | undefined;
  readonly killSwitch: ResolvedKillSwitch;
  readonly journal: boolean;
  readonly clock: Clock;
}

const owner = 'chaos config';

function resolveKillSwitch(read: SpecReader): ResolvedKillSwitch {
  const raw = read.raw('killSwitch');
  if (raw === false) return { errorRate: undefined, unresponsiveMs: undefined };
  const defaults = { threshold: 0.5, windowMs: 10_000, minCalls: 10 };
  if (raw === undefined) return { errorRate: defaults, unresponsiveMs: undefined };
  if (!isRecord(raw)) return read.fail('killSwitch', raw, 'an object or false');
  const ks: SpecReader = new SpecReader(owner, read.path('killSwitch'), raw);
  const rawRate = ks.raw('errorRate');
  let errorRate: ResolvedKillSwitch['errorRate'] = defaults;
  if (rawRate === false) errorRate = undefined;
  else if (rawRate !== undefined) {
    if (!isRecord(rawRate)) ks.fail('errorRate', rawRate, 'an object or false');
    const er: SpecReader = new SpecReader(owner, ks.path('errorRate'), rawRate);
    errorRate = {
      threshold: er.probability('threshold') ?? defaults.threshold,
      windowMs: er.number('windowMs', { min: 0, exclusiveMin: true }) ?? defaults.windowMs,
      minCalls: er.number('minCalls', { min: 1, integer: true }) ?? defaults.minCalls,
    };
    er.finish();
  }
  const rawUnresponsive = ks.raw('unresponsiveMs');
  const unresponsiveMs =
    rawUnresponsive === false
      ? undefined
      : ks.number('unresponsiveMs', { min: 0, exclusiveMin: true });
  ks.finish();
  return { errorRate, unresponsiveMs };
}

/**
 * Validates a {@link ChaosConfig} (from code or parsed JSON) and creates its faults. Anything
 * wrong throws an `InvalidOptionError` naming the field's path (`faults[2].ms`), the value and
 * what is allowed; unknown fields are errors too.
 */
export function resolveChaosConfig(config: unknown): ResolvedChaosConfig {
  if (!isRecord(config)) return invalid(owner, 'config', config, 'an object');
  const read: SpecReader = new SpecReader(owner, '', config);
  const enabled = read.boolean('enabled') ?? false;
  const name = read.string('name') ?? 'chaos';
  const rawSeed = read.raw('seed');
  if (
    rawSeed !== undefined &&
    !(typeof rawSeed === 'string' || (typeof rawSeed === 'number' && Number.isFinite(rawSeed)))
  ) {
    read.fail('seed', rawSeed, 'a finite number or a string');
  }
  const random = read.raw('random');
  if (random !== undefined && !(isRecord(random) && typeof random.seed === 'string')) {
    read.fail('random', random, 'a Random');
  }
  if (random !== undefined && rawSeed !== undefined) {
    read.fail('random', random, "absent when 'seed' is set");
  }
  const seed =
    rawSeed === undefined
      ? ((random as Random | undefined)?.seed ?? randomSeeded().seed)
      : String(rawSeed);
  const failureRate = read.probability('failureRate') ?? 0.1;
  const durationMs = read.number('durationMs', { min: 0 });
  const clock = read.raw('clock');
  if (
    clock !== undefined &&
    !(isRecord(clock) && typeof clock.now === 'function' && typeof clock.setTimer === 'function')
  ) {
    read.fail('clock', clock, 'a Clock');
  }
  const journal = read.boolean('journal') ?? true;

  let types: Set<string> | undefined;
  const rawTypes = read.raw('types');
  if (rawTypes !== undefined) {
    if (!Array.isArray(rawTypes)) read.fail('types', rawTypes, 'an array of fault kinds');
    types = new Set();
    rawTypes.forEach((t: unknown, i) => {
      const kind = typeof t === 'string' ? resolveFaultKind(t) : undefined;
      if (kind === undefined) {
        invalid(
          owner,
          `types[${i}]`,
          t,
          `one of ${faultKinds()
            .map((k) => `'${k}'`)
            .join(', ')}`,
        );
      }
      types?.add(kind);
    });
  }

  const probabilities = new Map<string, number>();
  const rawProbabilities = read.raw('probabilities');
  if (rawProbabilities !== undefined) {
    if (!isRecord(rawProbabilities)) {
      read.fail('probabilities', rawProbabilities, 'an object of fault names or kinds to numbers');
    }
    const pr: SpecReader = new SpecReader(owner, 'probabilities', rawProbabilities);
    for (const key of Object.keys(rawProbabilities)) {
      probabilities.set(resolveFaultKind(key) ?? key, pr.probability(key) as number);
    }
  }

  const rawFaults = read.raw('faults') ?? [];
  if (!Array.isArray(rawFaults)) read.fail('faults', rawFaults, 'an array of fault specs');
  const faults: Fault[] = [];
  const names = new Set<string>();
  rawFaults.forEach((spec: unknown, i) => {
    const fault = isFault(spec) ? spec : buildFault(spec, owner, `faults[${i}]`);
    if (names.has(fault.name)) {
      invalid(
        owner,
        `faults[${i}].name`,
        fault.name,
        'a name no other fault has (give each fault of the same kind its own name)',
      );
    }
    names.add(fault.name);
    if (types === undefined || types.has(fault.kind)) faults.push(fault);
  });
  if (types !== undefined) {
    for (const kind of types) {
      if (!faults.some((f) => f.kind === kind) && !names.has(kind)) {
        faults.push(buildFault({ kind }, owner, `types(${kind})`));
      }
    }
  }

  const target = compileTarget(config.target, owner, read.path('target'));
  read.raw('target');
  const killSwitch = resolveKillSwitch(read);
  read.finish();
  return {
    enabled,
    name,
    seed,
    failureRate,
    types,
    durationMs,
    faults,
    probabilities,
    target,
    killSwitch,
    journal,
    clock: (clock as Clock | undefined) ?? realClock,
  };
}
