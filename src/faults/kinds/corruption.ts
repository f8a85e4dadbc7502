import type { Random } from '../../core/index.ts';
import type { FaultFactory, FaultSpec } from '../types.ts';
import {
  allPaths,
  cloneJson,
  deleteAt,
  getAt,
  injectionRandom,
  isAsyncIterable,
  leafPaths,
  mutateJson,
  resolveFields,
  setAt,
  wrongNumber,
  type JsonPath,
} from './json-tools.ts';

/** The ways a `corruption` fault damages a message. */
export type CorruptionMode =
  | 'corrupt-fields'
  | 'flip-types'
  | 'drop-fields'
  | 'truncate'
  | 'invalid-json'
  | 'reorder'
  | 'duplicate'
  | 'inconsistent';

const allModes: readonly CorruptionMode[] = [
  'corrupt-fields',
  'flip-types',
  'drop-fields',
  'truncate',
  'invalid-json',
  'reorder',
  'duplicate',
  'inconsistent',
];

const defaultModes: readonly CorruptionMode[] = [
  'corrupt-fields',
  'flip-types',
  'drop-fields',
  'truncate',
  'invalid-json',
];

/** Spec of a `corruption` fault (alias `message-corruption`): the message arrives damaged. */
export interface CorruptionFaultSpec extends FaultSpec {
  readonly kind: 'corruption';
  /**
   * How the message is damaged; with several, each injection picks one at random.
   * `corrupt-fields` garbles values, `flip-types` changes their JSON type, `drop-fields` removes
   * them, `truncate` cuts the serialised message short, `invalid-json` makes it unparseable;
   * for sequences (arrays, async iterables, lines of text) `reorder` delivers out of order and
   * `duplicate` repeats items; `inconsistent` gives a different answer on each call.
   * @default ['corrupt-fields', 'flip-types', 'drop-fields', 'truncate', 'invalid-json']
   */
  readonly mode?: CorruptionMode | readonly CorruptionMode[];
  /**
   * Which fields to damage (`price`, `items.*.price`); one field at random when absent.
   * @default undefined (one at random)
   */
  readonly fields?: readonly string[];
  /**
   * `truncate`: the share of the serialised message kept (0..1).
   * @default a uniform draw in [0.2, 0.8)
   */
  readonly fraction?: number;
}

function garble(text: string, random: Random): string {
  if (text.length === 0) return '\uFFFD';
  const chars = Array.from(text);
  const first = random.int(0, chars.length - 1);
  chars[first] = '\uFFFD';
  for (let i = 0; i < chars.length; i++) if (random.chance(0.3)) chars[i] = '\uFFFD';
  return chars.join('');
}

function flip(value: unknown): unknown {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    const n = Number(value);
    return value.trim() !== '' && Number.isFinite(n) ? n : value.length;
  }
  if (typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return Object.fromEntries(value.entries());
  if (typeof value === 'object') return JSON.stringify(value);
  return null;
}

function serialise(value: unknown): string | undefined {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function breakJson(text: string, random: Random): string {
  switch (random.int(0, 2)) {
    case 0:
      return text.slice(0, -1);
    case 1: {
      const last = text.at(-1);
      return last === '}' || last === ']' ? `${text.slice(0, -1)},${last}` : `${text},`;
    }
    default:
      return `{${text}`;
  }
}

function shuffleDifferent<T>(items: readonly T[], random: Random): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  if (out.length >= 2 && out.every((v, i) => v === items[i])) out.push(out.shift() as T);
  return out;
}

function duplicateSome<T>(items: readonly T[], random: Random): T[] {
  if (items.length === 0) return [];
  const out: T[] = [];
  const forced = random.int(0, items.length - 1);
  items.forEach((item, i) => {
    out.push(item);
    if (i === forced || random.chance(0.2)) out.push(cloneJson(item));
  });
  return out;
}

async function* reorderStream(source: AsyncIterable<unknown>, random: Random): AsyncGenerator {
  let held: { value: unknown } | undefined;
  let first = true;
  for await (const item of source) {
    if (held === undefined) {
      if (first || random.chance(0.3)) {
        held = { value: item };
        first = false;
        continue;
      }
      yield item;
    } else {
      yield item;
      yield held.value;
      held = undefined;
    }
  }
  if (held !== undefined) yield held.value;
}

async function* duplicateStream(source: AsyncIterable<unknown>, random: Random): AsyncGenerator {
  let first = true;
  for await (const item of source) {
    yield item;
    if (first || random.chance(0.2)) yield cloneJson(item);
    first = false;
  }
}

function targets(
  root: unknown,
  fields: readonly string[] | undefined,
  random: Random,
  anyPath: boolean,
): JsonPath[] {
  if (fields !== undefined) return resolveFields(root, fields);
  const paths = anyPath
    ? allPaths(root, () => true).filter((p) => p.length > 0)
    : leafPaths(root, () => true);
  return paths.length === 0 ? [] : [random.pick(paths)];
}

function sequencePath(
  root: unknown,
  fields: readonly string[] | undefined,
  random: Random,
): JsonPath | undefined {
  const arrays = (
    fields === undefined ? allPaths(root, Array.isArray) : resolveFields(root, fields)
  ).filter((p) => Array.isArray(getAt(root, p)));
  return arrays.length === 0 ? undefined : random.pick(arrays);
}

function corrupt(
  mode: CorruptionMode,
  value: unknown,
  fields: readonly string[] | undefined,
  fraction: number | undefined,
  random: Random,
): unknown {
  switch (mode) {
    case 'truncate': {
      const text = serialise(value);
      if (text === undefined) return value;
      const keep = fraction ?? random.float(0.2, 0.8);
      return text.slice(0, Math.min(Math.floor(text.length * keep), Math.max(0, text.length - 1)));
    }
    case 'invalid-json': {
      const text = serialise(value);
      return text === undefined ? value : breakJson(text, random);
    }
    case 'reorder':
    case 'duplicate': {
      const apply = mode === 'reorder' ? shuffleDifferent : duplicateSome;
      if (isAsyncIterable(value)) {
        return mode === 'reorder' ? reorderStream(value, random) : duplicateStream(value, random);
      }
      return mutateJson(
        value,
        (root) => {
          const path = sequencePath(root, fields, random);
          return path === undefined
            ? root
            : setAt(root, path, apply(getAt(root, path) as unknown[], random));
        },
        (text) => apply(text.split('\n'), random).join('\n'),
      );
    }
    default:
      return mutateJson(
        value,
        (root) => {
          if (typeof root !== 'object' || root === null) return corruptLeaf(mode, root, random);
          const paths = targets(
            root,
            fields,
            random,
            mode === 'drop-fields' || mode === 'flip-types',
          );
          // Deleting from the end keeps earlier array indexes valid.
          for (const path of mode === 'drop-fields' ? paths.slice().reverse() : paths) {
            if (mode === 'drop-fields') deleteAt(root, path);
            else setAt(root, path, corruptLeaf(mode, getAt(root, path), random));
          }
          return root;
        },
        (text) => corruptLeaf(mode, text, random),
      );
  }
}

function corruptLeaf(mode: CorruptionMode, value: unknown, random: Random): unknown {
  switch (mode) {
    case 'flip-types':
      return flip(value);
    case 'drop-fields':
      return typeof value === 'string' ? '' : null;
    case 'inconsistent': {
      if (typeof value === 'number') return wrongNumber(value, random);
      if (typeof value === 'boolean') return !value;
      if (typeof value === 'string') {
        const match = /\d+(?:\.\d+)?/.exec(value);
        if (match !== null) {
          return (
            value.slice(0, match.index) +
            String(wrongNumber(Number(match[0]), random)) +
            value.slice(match.index + match[0].length)
          );
        }
        return random.pick(
          ['yes', 'no', 'unknown', 'pending', 'not available'].filter((s) => s !== value),
        );
      }
      return value;
    }
    default:
      return typeof value === 'string' ? garble(value, random) : null;
  }
}

/** Factory of the `corruption` kind. */
export const corruptionFault: FaultFactory = (read) => {
  const pool = read.oneOrMany('mode', allModes) ?? defaultModes;
  const fields = read.strings('fields');
  const fraction = read.number('fraction', { min: 0, max: 1 });
  return {
    effect(context) {
      const mode = pool.length === 1 ? (pool[0] as CorruptionMode) : context.random.pick(pool);
      const random = injectionRandom(context);
      return {
        type: 'transform',
        description: `corruption: ${mode}`,
        transform: (value) => {
          if (mode === 'inconsistent') {
            return mutateJson(
              value,
              (root) => {
                if (typeof root !== 'object' || root === null)
                  return corruptLeaf(mode, root, random);
                const paths =
                  fields === undefined
                    ? leafPaths(root, (v) => ['number', 'string', 'boolean'].includes(typeof v))
                    : resolveFields(root, fields);
                if (paths.length === 0) return root;
                const path = random.pick(paths);
                return setAt(root, path, corruptLeaf(mode, getAt(root, path), random));
              },
              (text) => corruptLeaf(mode, text, random),
            );
          }
          return corrupt(mode, value, fields, fraction, random);
        },
      };
    },
  };
};
