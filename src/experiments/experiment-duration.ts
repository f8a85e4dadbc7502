const unitMs: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const wholeDuration = /^\s*(?:\d+(?:\.\d+)?\s*(?:ms|s|m|h)\s*)+$/;
const durationPart = /(\d+(?:\.\d+)?)\s*(ms|s|m|h)/g;

/** What a duration field accepts, in the words error messages use. */
export const durationExpected =
  "a duration: milliseconds as a number, or a string like '30s', '1m30s', '250ms', '2h'";

/**
 * Reads a duration as experiment files write it: a number of milliseconds (finite, >= 0), or a
 * string of one or more `<number><unit>` parts with units `ms`, `s`, `m`, `h` (`'30s'`,
 * `'1m30s'`, `'1h 15m'`, `'1.5s'`, `'250ms'`). Returns milliseconds, or `undefined` when the value
 * is not a duration (a bare numeric string such as `'500'` is not: its unit would be a guess).
 *
 * @example
 * ```ts
 * parseDuration('1m30s'); // 90000
 * parseDuration(250); // 250
 * parseDuration('30 seconds'); // undefined
 * ```
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string' || !wholeDuration.test(value)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of value.matchAll(durationPart)) {
    ms += Number(amount) * (unitMs[unit as string] as number);
  }
  return Math.round(ms * 1000) / 1000;
}
