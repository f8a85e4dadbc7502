import { crashFault } from './kinds/crash.ts';
import { corruptionFault } from './kinds/corruption.ts';
import { cpuFault } from './kinds/cpu.ts';
import { diskFault } from './kinds/disk.ts';
import { errorFault } from './kinds/error.ts';
import { hallucinationFault } from './kinds/hallucination.ts';
import { hangFault } from './kinds/hang.ts';
import { latencyFault } from './kinds/latency.ts';
import { memoryFault } from './kinds/memory.ts';
import { networkFault } from './kinds/network.ts';
import { processFault } from './kinds/process.ts';
import { invalid, isRecord, SpecReader } from './spec-reader.ts';
import { compileTarget } from './target.ts';
import type { Fault, FaultFactory, FaultSpec } from './types.ts';

const factories = new Map<string, FaultFactory>([
  ['crash', crashFault],
  ['latency', latencyFault],
  ['hang', hangFault],
  ['error', errorFault],
  ['hallucination', hallucinationFault],
  ['corruption', corruptionFault],
  ['network', networkFault],
  ['disk', diskFault],
  ['memory', memoryFault],
  ['process', processFault],
  ['cpu', cpuFault],
]);

const aliases = new Map<string, string>([
  ['delay', 'latency'],
  ['timeout', 'hang'],
  ['message-corruption', 'corruption'],
  ['disk-io', 'disk'],
  ['http-error', 'error'],
]);

const commonFields = ['kind', 'name', 'probability', 'toxicity', 'target', 'maxInjections'];
const kindName = /^[a-z][a-z0-9-]*$/;

function normalise(name: string): string {
  return name.trim().toLowerCase().replace(/_/g, '-');
}

/**
 * The registered kind a name refers to, or `undefined`. Case, `_` versus `-` and the aliases
 * `delay` (latency), `timeout` (hang), `message-corruption`, `disk-io` and `http-error` are
 * accepted, so `DISK_IO` and `NETWORK` work.
 */
export function resolveFaultKind(name: string): string | undefined {
  const key = normalise(name);
  if (factories.has(key)) return key;
  return aliases.get(key);
}

/** The registered kinds, built-in ones first. */
export function faultKinds(): readonly string[] {
  return [...factories.keys()];
}

/**
 * Registers a fault kind so that configs, the CLI and the proxy can refer to it by name.
 * Throws when the kind exists, unless `replace` is set.
 *
 * @example
 * ```ts
 * registerFaultKind('teapot', (read) => {
 *   const message = read.string('message') ?? 'I am a teapot';
 *   return { effect: () => ({ type: 'fail', error: new Error(message) }) };
 * });
 * createFault({ kind: 'teapot', probability: 0.1 });
 * ```
 */
export function registerFaultKind(
  kind: string,
  factory: FaultFactory,
  options: { replace?: boolean } = {},
): void {
  if (!kindName.test(kind)) {
    invalid('registerFaultKind', 'kind', kind, 'lower-case letters, digits and dashes');
  }
  if (typeof factory !== 'function') invalid('registerFaultKind', 'factory', factory, 'a function');
  if (options.replace !== true && (factories.has(kind) || aliases.has(kind))) {
    invalid(
      'registerFaultKind',
      'kind',
      kind,
      'a kind not registered yet (or pass { replace: true })',
    );
  }
  factories.set(kind, factory);
}

/**
 * Creates a fault from its plain-JSON spec, validating every field: an unknown kind or field, or
 * a value out of range, throws an `InvalidOptionError` naming the field's path, the value and
 * what is allowed.
 *
 * @param path - where the spec sits in its document, for error messages (e.g. `faults[2]`).
 *
 * @example
 * ```ts
 * const fault = createFault({ kind: 'latency', ms: 200, jitterMs: 50, probability: 0.3 });
 * ```
 */
export function createFault(spec: unknown, path = ''): Fault {
  return buildFault(spec, 'createFault', path);
}

/** {@link createFault} with the owner named in errors. @internal */
export function buildFault(spec: unknown, owner: string, path: string): Fault {
  if (!isRecord(spec))
    return invalid(owner, path === '' ? 'spec' : path, spec, 'a fault spec object with a kind');
  const read: SpecReader = new SpecReader(owner, path, spec, commonFields);
  const rawKind = spec.kind;
  const known = faultKinds()
    .map((k) => `'${k}'`)
    .join(', ');
  if (typeof rawKind !== 'string') read.fail('kind', rawKind, `one of ${known}`);
  const kind = resolveFaultKind(rawKind);
  const factory = kind === undefined ? undefined : factories.get(kind);
  if (kind === undefined || factory === undefined)
    return read.fail('kind', rawKind, `one of ${known}`);
  const name = read.string('name') ?? kind;
  const probability = read.probability('probability');
  const toxicity = read.probability('toxicity');
  if (probability !== undefined && toxicity !== undefined) {
    read.fail('toxicity', toxicity, "absent when 'probability' is set (they are the same thing)");
  }
  const maxInjections = read.number('maxInjections', { min: 1, integer: true });
  const target = compileTarget(spec.target, owner, read.path('target'));
  const behaviour = factory(read, spec as FaultSpec);
  read.finish();
  const fault: Fault = {
    kind,
    name,
    probability: probability ?? toxicity,
    target,
    maxInjections,
    spec: spec as FaultSpec,
    effect: behaviour.effect.bind(behaviour),
  };
  if (behaviour.sticky !== undefined) {
    const sticky = behaviour.sticky.bind(behaviour);
    return { ...fault, sticky };
  }
  return fault;
}

/** True when `value` is a created {@link Fault} rather than a spec. */
export function isFault(value: unknown): value is Fault {
  return (
    isRecord(value) &&
    typeof value.kind === 'string' &&
    typeof value.name === 'string' &&
    typeof value.effect === 'function'
  );
}
