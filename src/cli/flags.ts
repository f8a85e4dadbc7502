import { Option, type Command } from 'commander';
import { UsageError } from './usage-error.ts';

/** One command-line flag, typed by the config field it fills. */
export interface FlagSpec<T> {
  /** Commander syntax, e.g. `'--runs <n>'` or `'--verbose'`. */
  readonly flag: string;
  readonly description: string;
  /** Turns the raw text into the field's value; throws {@link UsageError} on bad input. */
  readonly parse?: (raw: string, flag: string) => T;
  /** The flag may be given several times; `parse` returns an array and the results are joined. */
  readonly repeatable?: boolean;
  /** Shown in `--help`; the command applies its own defaults. */
  readonly defaultDescription?: string;
}

/**
 * One flag per field of a command's config type: a field without a flag, or a flag without a
 * field, is a compile error, and `--help` is generated from the same table.
 */
export type FlagTable<C> = { readonly [K in keyof Required<C>]: FlagSpec<NonNullable<C[K]>> };

/** Adds every flag of `table` to `command`. */
export function addFlags<C>(command: Command, table: FlagTable<C>): Command {
  for (const spec of Object.values<FlagSpec<unknown>>(table)) {
    const option = new Option(spec.flag, spec.description);
    if (spec.defaultDescription !== undefined) option.default(undefined, spec.defaultDescription);
    const parse = spec.parse;
    if (parse !== undefined)
      option.argParser((raw: string) => parse(raw, spec.flag.split(' ')[0] ?? spec.flag));
    command.addOption(option);
  }
  return command;
}

/** The flags the user gave, as a partial config (absent flags stay absent). */
export function readFlags<C>(command: Command, table: FlagTable<C>): Partial<C> {
  const given = command.opts<Record<string, unknown>>();
  const config: Record<string, unknown> = {};
  for (const key of Object.keys(table)) {
    if (given[key] !== undefined) config[key] = given[key];
  }
  return config as Partial<C>;
}

const bad = (flag: string, raw: string, expected: string): never => {
  throw new UsageError(`${flag} must be ${expected}, got "${raw}"`);
};

/** Parsers for common flag values; each error names the flag, the value and what is expected. */
export const parse = {
  integer:
    (min = 0) =>
    (raw: string, flag: string): number => {
      const n = Number(raw);
      return Number.isInteger(n) && n >= min && raw.trim() !== ''
        ? n
        : bad(flag, raw, `an integer >= ${min}`);
    },
  probability: (raw: string, flag: string): number => {
    const n = Number(raw);
    return raw.trim() !== '' && n >= 0 && n <= 1 ? n : bad(flag, raw, 'a number between 0 and 1');
  },
  /** `1500`, `1500ms`, `30s`, `5m`, `1h` → milliseconds. */
  duration: (raw: string, flag: string): number => {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
    if (match === null) return bad(flag, raw, 'a duration such as 500ms, 30s, 5m or 1h');
    const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] ?? 'ms'] ?? 1;
    return Number(match[1]) * unit;
  },
  oneOf:
    <const T extends string>(allowed: readonly T[]) =>
    (raw: string, flag: string): T =>
      (allowed as readonly string[]).includes(raw)
        ? (raw as T)
        : bad(flag, raw, `one of ${allowed.join(', ')}`),
  list:
    <const T extends string>(allowed?: readonly T[]) =>
    (raw: string, flag: string): T[] => {
      const items = raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
      if (items.length === 0) bad(flag, raw, 'a comma-separated list');
      if (allowed !== undefined) {
        const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item));
        if (unknown.length > 0) bad(flag, raw, `a comma-separated list of ${allowed.join(', ')}`);
      }
      return items as T[];
    },
  text: (raw: string): string => raw,
} as const;
