import { InvalidOptionError } from './errors/invalid-option-error.ts';

/** A value as option errors show it: strings quoted, numbers as they are, other things by kind. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) {
    return String(value);
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Throws the {@link InvalidOptionError} of a custom check, worded like every other option check:
 * `owner: option 'x' must be <expected>, got <value>`.
 */
export function invalidOption(
  owner: string,
  option: string,
  value: unknown,
  expected: string,
): never {
  throw new InvalidOptionError(
    `${owner}: option '${option}' must be ${expected}, got ${describeValue(value)}`,
    { owner, option, value, expected },
  );
}

/** Throws {@link InvalidOptionError} unless `value` is a finite number. */
export function assertFiniteNumber(owner: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    invalidOption(owner, option, value, 'a finite number');
  }
  return value;
}

/** Throws {@link InvalidOptionError} unless `value` is a finite number >= 0. */
export function assertNonNegativeNumber(owner: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    invalidOption(owner, option, value, 'a finite number >= 0');
  }
  return value;
}

/** Throws {@link InvalidOptionError} unless `value` is a finite number > 0. */
export function assertPositiveNumber(owner: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    invalidOption(owner, option, value, 'a finite number > 0');
  }
  return value;
}

/** Throws {@link InvalidOptionError} unless `value` is an integer >= `min`. */
export function assertInteger(owner: string, option: string, value: unknown, min = 0): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    invalidOption(owner, option, value, `an integer >= ${min}`);
  }
  return value;
}

/**
 * Throws {@link InvalidOptionError} unless `value` is an integer >= `min` or `Infinity`
 * (for limits that may be switched off).
 */
export function assertIntegerOrInfinity(
  owner: string,
  option: string,
  value: unknown,
  min = 0,
): number {
  if (value === Infinity) return value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    invalidOption(owner, option, value, `an integer >= ${min} or Infinity`);
  }
  return value;
}

/** Throws {@link InvalidOptionError} unless `value` is a number in [0, 1]. */
export function assertProbability(owner: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    invalidOption(owner, option, value, 'a number between 0 and 1');
  }
  return value;
}

/** Throws {@link InvalidOptionError} unless `value` is a function. */
export function assertFunction<T>(owner: string, option: string, value: T): T {
  if (typeof value !== 'function') invalidOption(owner, option, value, 'a function');
  return value;
}

/** Throws {@link InvalidOptionError} unless `value` is one of `allowed`. */
export function assertOneOf<const T extends string>(
  owner: string,
  option: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    invalidOption(owner, option, value, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
  return value as T;
}

/** Throws {@link InvalidOptionError} unless `value` is a plain (non-array) object. */
export function assertRecord(
  owner: string,
  option: string,
  value: unknown,
): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalidOption(owner, option, value, 'an object');
  }
  return value as Readonly<Record<string, unknown>>;
}
