import { createRandom, type Random } from '../../core/index.ts';
import type { FaultContext } from '../types.ts';

/** A path into a JSON value: object keys and array indexes. */
export type JsonPath = readonly (string | number)[];

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null && (Array.isArray(value) || isPlain(value));
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A deep copy of plain objects and arrays; anything else is shared. */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => cloneJson(v)) as T;
  if (typeof value === 'object' && value !== null && isPlain(value)) {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) copy[k] = cloneJson(v);
    return copy as T;
  }
  return value;
}

/**
 * Applies `mutate` to a copy of `value`. A string holding a JSON object or array is parsed,
 * mutated and serialised again, so a raw model response stays a string; `text` handles any
 * other string.
 */
export function mutateJson(
  value: unknown,
  mutate: (copy: unknown) => unknown,
  text: (s: string) => unknown,
): unknown {
  if (typeof value === 'string') {
    const trimmed = value.trimStart();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        return text(value);
      }
      const out = mutate(parsed);
      return typeof out === 'string' ? out : JSON.stringify(out);
    }
    return text(value);
  }
  return mutate(cloneJson(value));
}

/** Every path to a leaf (not an object or array) for which `accept` holds; the root excluded. */
export function leafPaths(
  root: unknown,
  accept: (value: unknown, key: string | number | undefined) => boolean,
): JsonPath[] {
  const out: JsonPath[] = [];
  const walk = (value: unknown, path: (string | number)[]): void => {
    if (isContainer(value)) {
      const entries: [string | number, unknown][] = Array.isArray(value)
        ? value.map((v, i) => [i, v])
        : Object.entries(value);
      for (const [k, v] of entries) walk(v, [...path, k]);
    } else if (path.length > 0 && accept(value, path[path.length - 1])) {
      out.push(path);
    }
  };
  walk(root, []);
  return out;
}

/** Every path to a value (leaf or not) for which `accept` holds, the root included as `[]`. */
export function allPaths(root: unknown, accept: (value: unknown) => boolean): JsonPath[] {
  const out: JsonPath[] = [];
  const walk = (value: unknown, path: (string | number)[]): void => {
    if (accept(value)) out.push(path);
    if (isContainer(value)) {
      const entries: [string | number, unknown][] = Array.isArray(value)
        ? value.map((v, i) => [i, v])
        : Object.entries(value);
      for (const [k, v] of entries) walk(v, [...path, k]);
    }
  };
  walk(root, []);
  return out;
}

/**
 * Expands field patterns such as `price`, `items.*.price` or `user.address.city` into the paths
 * that exist in `root` (`*` matches any key or index at one level).
 */
export function resolveFields(root: unknown, fields: readonly string[]): JsonPath[] {
  const out: JsonPath[] = [];
  for (const field of fields) {
    const segments = field
      .replace(/\[(\d+)\]/g, '.$1')
      .split('.')
      .filter((s) => s !== '');
    const walk = (value: unknown, i: number, path: (string | number)[]): void => {
      if (i === segments.length) {
        out.push(path);
        return;
      }
      if (!isContainer(value)) return;
      const seg = segments[i] as string;
      if (Array.isArray(value)) {
        const indexes = seg === '*' ? value.map((_, j) => j) : [Number(seg)];
        for (const j of indexes) {
          if (Number.isInteger(j) && j >= 0 && j < value.length)
            walk(value[j], i + 1, [...path, j]);
        }
      } else {
        const keys = seg === '*' ? Object.keys(value) : [seg];
        for (const k of keys) if (Object.hasOwn(value, k)) walk(value[k], i + 1, [...path, k]);
      }
    };
    walk(root, 0, []);
  }
  return out;
}

/** The value at `path`. */
export function getAt(root: unknown, path: JsonPath): unknown {
  let value = root;
  for (const key of path) {
    if (!isContainer(value)) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/** Replaces the value at `path` (the root when `path` is empty) and returns the new root. */
export function setAt(root: unknown, path: JsonPath, next: unknown): unknown {
  if (path.length === 0) return next;
  const parent = getAt(root, path.slice(0, -1));
  if (isContainer(parent)) {
    (parent as Record<string | number, unknown>)[path[path.length - 1] as string | number] = next;
  }
  return root;
}

/** Removes the value at `path` (an array element is spliced out) and returns the root. */
export function deleteAt(root: unknown, path: JsonPath): unknown {
  if (path.length === 0) return undefined;
  const parent = getAt(root, path.slice(0, -1));
  const key = path[path.length - 1] as string | number;
  if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
  else if (isContainer(parent)) Reflect.deleteProperty(parent, key);
  return root;
}

/** True for an object that can be iterated with `for await`. */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/**
 * A random stream of its own for one injection, derived by a single draw from the fault's
 * stream: a transform that runs later (when the result arrives, or lazily over a stream) then
 * does not shift the fault's other draws.
 */
export function injectionRandom(context: FaultContext): Random {
  return createRandom(`${context.random.seed}#${context.random.int(0, 0x7fffffff)}`);
}

/** A number near `n` but clearly not `n`, keeping integers integral and the decimals' count. */
export function wrongNumber(n: number, random: Random): number {
  const factor = random.chance(0.5) ? random.float(1.12, 1.6) : random.float(0.45, 0.88);
  const text = String(n);
  const decimals =
    text.includes('.') && !text.includes('e') ? (text.split('.')[1]?.length ?? 0) : 0;
  const scale = 10 ** decimals;
  let wrong = Math.round(n * factor * scale) / scale;
  if (wrong === n) wrong = n + (n >= 0 ? 1 : -1) / scale;
  return wrong;
}
