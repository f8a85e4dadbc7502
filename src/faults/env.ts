import { InvalidOptionError } from '../core/index.ts';
import type { ChaosConfig } from './config.ts';
import { faultKinds, resolveFaultKind } from './registry.ts';
import type { FaultSpec } from './types.ts';

/** The environment variables {@link chaosConfigFromEnv} reads. */
export const chaosEnvVariables = [
  'CHAOS_ENABLED',
  'CHAOS_RANDOM_SEED',
  'CHAOS_TYPES',
  'CHAOS_FAILURE_RATE',
  'CHAOS_DURATION',
  'CHAOS_CRASH_PROBABILITY',
  'CHAOS_DELAY_MS',
  'CHAOS_DELAY_PROBABILITY',
  'CHAOS_TIMEOUT_SECONDS',
  'CHAOS_TIMEOUT_PROBABILITY',
  'CHAOS_HALLUCINATION_PROBABILITY',
  'CHAOS_CORRUPTION_PROBABILITY',
] as const;

type Env = Readonly<Record<string, string | undefined>>;

function bad(variable: string, value: string, expected: string): never {
  throw new InvalidOptionError(
    `environment variable ${variable} must be ${expected}, got ${JSON.stringify(value)}`,
    { owner: 'environment', option: variable, value, expected },
  );
}

function read(env: Env, variable: string): string | undefined {
  const value = env[variable]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function number(
  env: Env,
  variable: string,
  min: number,
  max: number,
  expected: string,
): number | undefined {
  const text = read(env, variable);
  if (text === undefined) return undefined;
  const value = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) bad(variable, text, expected);
  return value;
}

function probability(env: Env, variable: string): number | undefined {
  return number(env, variable, 0, 1, 'a number between 0 and 1');
}

const units: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `1500ms`, `30s`, `5m`, `2h` or a bare number of seconds into milliseconds. */
function duration(env: Env, variable: string): number | undefined {
  const text = read(env, variable);
  if (text === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(text);
  if (match === null) {
    bad(variable, text, "a duration such as '30s', '5m', '1500ms' or a number of seconds");
  }
  return Number(match[1]) * (units[(match[2] ?? 's').toLowerCase()] ?? 1000);
}

function boolean(env: Env, variable: string): boolean | undefined {
  const text = read(env, variable);
  if (text === undefined) return undefined;
  const lower = text.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
  if (['0', 'false', 'no', 'off'].includes(lower)) return false;
  return bad(variable, text, 'true or false (also 1/0, yes/no, on/off)');
}

/**
 * Reads a {@link ChaosConfig} from `CHAOS_*` environment variables; only the variables that are
 * set (and not empty) appear in it. A malformed value throws an `InvalidOptionError` naming the
 * variable (`option`), the value and what is allowed.
 *
 * | Variable | Becomes |
 * | --- | --- |
 * | `CHAOS_ENABLED` | `enabled` (true/false, 1/0, yes/no, on/off) |
 * | `CHAOS_RANDOM_SEED` | `seed` |
 * | `CHAOS_TYPES` | `types`, comma-separated (`network,DISK_IO,delay`) |
 * | `CHAOS_FAILURE_RATE` | `failureRate` |
 * | `CHAOS_DURATION` | `durationMs` (`30s`, `5m`, `1500ms`; a bare number is seconds) |
 * | `CHAOS_CRASH_PROBABILITY` | a `crash` fault named `crash` |
 * | `CHAOS_DELAY_MS`, `CHAOS_DELAY_PROBABILITY` | a `latency` fault named `delay` (1000 ms by default) |
 * | `CHAOS_TIMEOUT_SECONDS`, `CHAOS_TIMEOUT_PROBABILITY` | a `hang` fault named `timeout`: hangs that many seconds then fails with ETIMEDOUT (without seconds: until aborted) |
 * | `CHAOS_HALLUCINATION_PROBABILITY` | a `hallucination` fault |
 * | `CHAOS_CORRUPTION_PROBABILITY` | a `corruption` fault |
 *
 * @example
 * ```ts
 * chaos.configure(chaosConfigFromEnv()); // process-wide chaos when CHAOS_ENABLED=true
 * ```
 */
export function chaosConfigFromEnv(env: Env = process.env): ChaosConfig {
  const config: { -readonly [K in keyof ChaosConfig]: ChaosConfig[K] } = {};
  const enabled = boolean(env, 'CHAOS_ENABLED');
  if (enabled !== undefined) config.enabled = enabled;
  const seed = read(env, 'CHAOS_RANDOM_SEED');
  if (seed !== undefined) config.seed = seed;
  const failureRate = probability(env, 'CHAOS_FAILURE_RATE');
  if (failureRate !== undefined) config.failureRate = failureRate;
  const durationMs = duration(env, 'CHAOS_DURATION');
  if (durationMs !== undefined) config.durationMs = durationMs;
  const types = read(env, 'CHAOS_TYPES');
  if (types !== undefined) {
    config.types = types
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '')
      .map((t) => {
        const kind = resolveFaultKind(t);
        if (kind === undefined) {
          bad(
            'CHAOS_TYPES',
            types,
            `a comma-separated list of ${faultKinds().join(', ')} (unknown: '${t}')`,
          );
        }
        return kind;
      });
  }

  const faults: FaultSpec[] = [];
  const crash = probability(env, 'CHAOS_CRASH_PROBABILITY');
  if (crash !== undefined) faults.push({ kind: 'crash', name: 'crash', probability: crash });
  const delayMs = number(
    env,
    'CHAOS_DELAY_MS',
    0,
    Number.MAX_SAFE_INTEGER,
    'a number of milliseconds >= 0',
  );
  const delayP = probability(env, 'CHAOS_DELAY_PROBABILITY');
  if (delayMs !== undefined || delayP !== undefined) {
    faults.push({
      kind: 'latency',
      name: 'delay',
      ms: delayMs ?? 1000,
      ...(delayP === undefined ? {} : { probability: delayP }),
    });
  }
  const timeoutS = number(
    env,
    'CHAOS_TIMEOUT_SECONDS',
    0,
    Number.MAX_SAFE_INTEGER,
    'a number of seconds >= 0',
  );
  const timeoutP = probability(env, 'CHAOS_TIMEOUT_PROBABILITY');
  if (timeoutS !== undefined || timeoutP !== undefined) {
    faults.push({
      kind: 'hang',
      name: 'timeout',
      ...(timeoutS === undefined ? {} : { ms: timeoutS * 1000, then: 'timeout' }),
      ...(timeoutP === undefined ? {} : { probability: timeoutP }),
    });
  }
  const hallucination = probability(env, 'CHAOS_HALLUCINATION_PROBABILITY');
  if (hallucination !== undefined) {
    faults.push({ kind: 'hallucination', probability: hallucination });
  }
  const corruption = probability(env, 'CHAOS_CORRUPTION_PROBABILITY');
  if (corruption !== undefined) faults.push({ kind: 'corruption', probability: corruption });
  if (faults.length > 0) config.faults = faults;
  return config;
}
