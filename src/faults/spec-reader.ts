import { describeValue, InvalidOptionError } from '../core/index.ts';

/** Throws an {@link InvalidOptionError} naming the owner, the field, the value and what is allowed. */
export function invalid(owner: string, option: string, value: unknown, expected: string): never {
  throw new InvalidOptionError(
    `${owner}: option '${option}' must be ${expected}, got ${describeValue(value)}`,
    { owner, option, value, expected },
  );
}

/** Joins a parent path and a key: `faults[2]` + `ms` -> `faults[2].ms`. */
export function joinPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** True for a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
  /** `min` itself is not allowed. */
  readonly exclusiveMin?: boolean;
}

/**
 * Reads the fields of a plain-JSON spec one by one, validating each, and rejects unknown fields
 * at the end (so a typo in a config file is an error, not a silent default). Use it in a
 * {@link FaultFactory} for a custom fault kind.
 *
 * @example
 * ```ts
 * const read = new SpecReader('createFault', path, spec, ['kind', 'name', 'probability', 'target']);
 * const ms = read.number('ms', { min: 0 }) ?? 100;
 * read.finish();
 * ```
 */
export class SpecReader {
  readonly #owner: string;
  readonly #path: string;
  readonly #spec: Readonly<Record<string, unknown>>;
  readonly #known: Set<string>;

  /**
   * @param owner - who validates, as error messages name it.
   * @param path - where the spec sits in its document, e.g. `faults[2]` (`''` at the top).
   * @param spec - the object being read.
   * @param known - fields read elsewhere that {@link finish} must not reject.
   */
  constructor(
    owner: string,
    path: string,
    spec: Readonly<Record<string, unknown>>,
    known: readonly string[] = [],
  ) {
    this.#owner = owner;
    this.#path = path;
    this.#spec = spec;
    this.#known = new Set(known);
  }

  /** The full path of `key`, as error messages show it. */
  path(key: string): string {
    return joinPath(this.#path, key);
  }

  /** Throws an {@link InvalidOptionError} for `key`. */
  fail(key: string, value: unknown, expected: string): never {
    return invalid(this.#owner, this.path(key), value, expected);
  }

  /** The raw value of `key` (marks it as known). */
  raw(key: string): unknown {
    this.#known.add(key);
    return this.#spec[key];
  }

  /** A number checked against `rule`, or `undefined` when absent. */
  number(key: string, rule: NumberRule = {}): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    const { min, max, integer = false, exclusiveMin = false } = rule;
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!integer || Number.isInteger(value)) &&
      (min === undefined || (exclusiveMin ? value > min : value >= min)) &&
      (max === undefined || value <= max);
    if (!ok) {
      const parts = [integer ? 'an integer' : 'a finite number'];
      if (min !== undefined) parts.push(`${exclusiveMin ? '>' : '>='} ${min}`);
      if (max !== undefined) parts.push(`<= ${max}`);
      this.fail(key, value, parts.join(' '));
    }
    return value;
  }

  /** A probability in [0, 1], or `undefined`. */
  probability(key: string): number | undefined {
    return this.number(key, { min: 0, max: 1 });
  }

  /** A non-empty string, or `undefined`. */
  string(key: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '') this.fail(key, value, 'a non-empty string');
    return value;
  }

  /** A boolean, or `undefined`. */
  boolean(key: string): boolean | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') this.fail(key, value, 'true or false');
    return value;
  }

  /** One of `allowed`, or `undefined`. */
  oneOf<const T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.fail(key, value, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
    }
    return value as T;
  }

  /** One of `allowed` or a non-empty array of them, as an array; `undefined` when absent. */
  oneOrMany<const T extends string>(key: string, allowed: readonly T[]): readonly T[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    const list: unknown[] = Array.isArray(value) ? value : [value];
    const expected = `one of ${allowed.map((a) => `'${a}'`).join(', ')}, or a non-empty array of them`;
    if (list.length === 0) this.fail(key, value, expected);
    for (const item of list) {
      if (typeof item !== 'string' || !(allowed as readonly string[]).includes(item)) {
        this.fail(key, item, expected);
      }
    }
    return list as T[];
  }

  /** A non-empty array of non-empty strings (a single string is accepted), or `undefined`. */
  strings(key: string): readonly string[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    const list: unknown[] = Array.isArray(value) ? value : [value];
    if (list.length === 0 || list.some((s) => typeof s !== 'string' || s === '')) {
      this.fail(key, value, 'a non-empty string or a non-empty array of them');
    }
    return list as string[];
  }

  /** A function (from code only; config files cannot hold one), or `undefined`. */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- F names the caller's function type
  func<F>(key: string): F | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'function') this.fail(key, value, 'a function');
    return value as F;
  }

  /** Rejects any field that was neither read nor declared known. */
  finish(): void {
    for (const key of Object.keys(this.#spec)) {
      if (!this.#known.has(key)) {
        const allowed = [...this.#known].map((k) => `'${k}'`).join(', ');
        this.fail(key, this.#spec[key], `absent (unknown field; known fields: ${allowed})`);
      }
    }
  }
}
