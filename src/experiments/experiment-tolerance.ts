import { didYouMean } from './experiment-did-you-mean.ts';
import { durationExpected, parseDuration } from './experiment-duration.ts';

/** A comparison operator of a {@link Tolerance}. */
export type ComparisonOperator = '<' | '<=' | '>' | '>=' | '==';

/** One bound of a {@link Tolerance}: the measured value `op` `value`. */
export interface Comparison {
  readonly op: ComparisonOperator;
  /** In the probe's unit: a ratio 0..1, milliseconds, a count or a plain number. */
  readonly value: number;
}

/**
 * What a measured value must satisfy: every comparison (`> 0.95`, or `>= 1` and `<= 3`), or,
 * for a probe that answers yes or no, an exact boolean.
 */
export type Tolerance =
  | { readonly kind: 'range'; readonly comparisons: readonly Comparison[] }
  | { readonly kind: 'boolean'; readonly value: boolean };

/**
 * What a probe's number means, which decides how a tolerance is written and shown: `ratio`
 * (0..1, or a percentage such as `'95%'`), `ms` (a duration such as `'30s'`), `count` (a whole
 * number) or `number` (anything: a percentage becomes a ratio, a duration becomes ms).
 */
export type ProbeUnit = 'ratio' | 'ms' | 'count' | 'number';

/** Something wrong in a tolerance, relative to the tolerance's own position in the document. */
export interface ToleranceProblem {
  readonly path: readonly (string | number)[];
  readonly value: unknown;
  readonly expected: string;
  /** The valid spellings, for a "did you mean". */
  readonly choices?: readonly string[];
}

const operatorAliases: Readonly<Record<string, ComparisonOperator>> = {
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
  '==': '==',
  '=': '==',
  lt: '<',
  lte: '<=',
  le: '<=',
  gt: '>',
  gte: '>=',
  ge: '>=',
  eq: '==',
};
const operatorKeys = Object.keys(operatorAliases);

const valueExpected: Readonly<Record<ProbeUnit, string>> = {
  ratio: "a ratio: a number from 0 to 1, or a percentage like '95%'",
  ms: durationExpected,
  count: 'a whole number >= 0',
  number: "a number (a percentage like '95%' or a duration like '30s' is converted)",
};

/** What a tolerance of this unit accepts, in the words error messages use. */
export function toleranceExpected(unit: ProbeUnit): string {
  const example = { ratio: "'> 95%'", ms: "'< 30s'", count: "'<= 3'", number: "'< 10'" }[unit];
  return `a comparison like ${example} (operators <, <=, >, >=, ==; join two with 'and'), an object like { '<': ... }, a number (equal to) or true/false`;
}

function percentage(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  if (match === null) return undefined;
  return Number(match[1]) / 100;
}

function numberText(text: string): number | undefined {
  if (!/^\s*-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\s*$/i.test(text)) return undefined;
  return Number(text);
}

/** Reads one bound's value in `unit`, or `undefined` when it is not one. */
function readValue(raw: unknown, unit: ProbeUnit): number | undefined {
  switch (unit) {
    case 'ratio': {
      const n =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string'
            ? (percentage(raw) ?? numberText(raw))
            : undefined;
      return n !== undefined && n >= 0 && n <= 1 ? n : undefined;
    }
    case 'ms':
      return parseDuration(raw);
    case 'count': {
      const n =
        typeof raw === 'number' ? raw : typeof raw === 'string' ? numberText(raw) : undefined;
      return n !== undefined && Number.isInteger(n) && n >= 0 ? n : undefined;
    }
    case 'number': {
      if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
      if (typeof raw !== 'string') return undefined;
      return numberText(raw) ?? percentage(raw) ?? parseDuration(raw);
    }
  }
}

const comparisonText = /^\s*(<=|>=|==|<|>|=)\s*(\S.*?)\s*$/;

/**
 * Reads a tolerance as experiment files write it, for a probe of `unit`:
 *
 * - a string of comparisons: `'> 95%'`, `'< 30s'`, `'>= 1 and <= 3'`;
 * - an object of them: `{ '>': 0.95 }`, `{ gte: 1, lte: 3 }` (`lt`, `lte`, `gt`, `gte`, `eq`
 *   spare quoting `>` in YAML);
 * - a number: equal to it;
 * - `true` or `false`: for probes that answer yes or no.
 *
 * @returns the tolerance, or every problem found (paths relative to the tolerance).
 *
 * @example
 * ```ts
 * readTolerance('> 95%', 'ratio'); // { tolerance: { kind: 'range', comparisons: [{ op: '>', value: 0.95 }] } }
 * ```
 */
export function readTolerance(
  raw: unknown,
  unit: ProbeUnit,
): { readonly tolerance: Tolerance } | { readonly problems: readonly ToleranceProblem[] } {
  if (typeof raw === 'boolean') return { tolerance: { kind: 'boolean', value: raw } };
  if (typeof raw === 'number') {
    const value = readValue(raw, unit);
    if (value === undefined)
      return { problems: [{ path: [], value: raw, expected: valueExpected[unit] }] };
    return { tolerance: { kind: 'range', comparisons: [{ op: '==', value }] } };
  }
  const problems: ToleranceProblem[] = [];
  const comparisons: Comparison[] = [];
  if (typeof raw === 'string') {
    for (const part of raw.split(/\s+and\s+/i)) {
      const match = comparisonText.exec(part);
      if (match === null) {
        return { problems: [{ path: [], value: raw, expected: toleranceExpected(unit) }] };
      }
      const value = readValue(match[2], unit);
      if (value === undefined) {
        problems.push({
          path: [],
          value: raw,
          expected: `${toleranceExpected(unit)}; each value ${valueExpected[unit]}`,
        });
      } else {
        comparisons.push({ op: operatorAliases[match[1] as string] as ComparisonOperator, value });
      }
    }
  } else if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const entries = Object.entries(raw);
    if (entries.length === 0) {
      return { problems: [{ path: [], value: raw, expected: toleranceExpected(unit) }] };
    }
    for (const [key, item] of entries) {
      const op = operatorAliases[key];
      if (op === undefined) {
        problems.push({
          path: [key],
          value: item,
          expected: `absent: not an operator (use <, <=, >, >=, ==, lt, lte, gt, gte or eq)`,
          choices: operatorKeys,
        });
        continue;
      }
      const value = readValue(item, unit);
      if (value === undefined)
        problems.push({ path: [key], value: item, expected: valueExpected[unit] });
      else comparisons.push({ op, value });
    }
  } else {
    return { problems: [{ path: [], value: raw, expected: toleranceExpected(unit) }] };
  }
  if (problems.length > 0) return { problems };
  return { tolerance: { kind: 'range', comparisons } };
}

/** The closest operator spelling to a mistyped key, for error messages. @internal */
export function suggestOperator(key: string): string | undefined {
  return didYouMean(key, operatorKeys);
}

/** True when `value` satisfies `tolerance`; a missing value (`null`, `undefined`) never does. */
export function checkTolerance(
  tolerance: Tolerance,
  value: number | boolean | null | undefined,
): boolean {
  if (value === null || value === undefined) return false;
  if (tolerance.kind === 'boolean') return value === tolerance.value;
  if (typeof value !== 'number' || Number.isNaN(value)) return false;
  return tolerance.comparisons.every(({ op, value: bound }) => {
    switch (op) {
      case '<':
        return value < bound;
      case '<=':
        return value <= bound;
      case '>':
        return value > bound;
      case '>=':
        return value >= bound;
      case '==':
        return value === bound;
    }
  });
}

/** `0.95` → `95%`, `0.955` → `95.5%`. */
function percent(x: number): string {
  return `${String(Math.round(x * 10_000) / 100)}%`;
}

/**
 * A value of `unit` as people read it: `95%`, `30 s`, `1.5 min`, `250 ms`, `3`.
 *
 * @example
 * ```ts
 * formatMeasurement(0.955, 'ratio'); // '95.5%'
 * formatMeasurement(90_000, 'ms'); // '1.5 min'
 * ```
 */
export function formatMeasurement(value: number, unit: ProbeUnit): string {
  switch (unit) {
    case 'ratio':
      return percent(value);
    case 'ms': {
      if (value < 1000) return `${String(Math.round(value))} ms`;
      if (value < 60_000) return `${String(Math.round(value / 10) / 100)} s`;
      if (value < 3_600_000) return `${String(Math.round(value / 600) / 100)} min`;
      return `${String(Math.round(value / 36_000) / 100)} h`;
    }
    case 'count':
    case 'number':
      return String(Math.round(value * 1000) / 1000);
  }
}

const symbols: Readonly<Record<ComparisonOperator, string>> = {
  '<': '<',
  '<=': '≤',
  '>': '>',
  '>=': '≥',
  '==': '=',
};

/**
 * A tolerance as one line of text for journals and reports: `> 95%`, `≤ 10 s`, `≥ 1 and ≤ 3`,
 * `true`.
 */
export function describeTolerance(tolerance: Tolerance, unit: ProbeUnit): string {
  if (tolerance.kind === 'boolean') return String(tolerance.value);
  return tolerance.comparisons
    .map(({ op, value }) => `${symbols[op]} ${formatMeasurement(value, unit)}`)
    .join(' and ');
}
