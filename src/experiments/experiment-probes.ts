import type { MetricsFigures } from '../metrics/index.ts';
import type { ProbeUnit } from './experiment-tolerance.ts';

type NumericPaths<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends number | null
    ? `${P}${K}`
    : T[K] extends readonly unknown[]
      ? never
      : T[K] extends object
        ? NumericPaths<T[K], `${P}${K}.`>
        : never;
}[keyof T & string];

/** The path of a number in `MetricsFigures`, e.g. `runs.successRate` or `mttrMs.p95`. */
export type MetricPath = NumericPaths<MetricsFigures>;

const distribution = <const P extends string>(p: P) =>
  [
    `${p}.n`,
    `${p}.mean`,
    `${p}.min`,
    `${p}.max`,
    `${p}.p50`,
    `${p}.p90`,
    `${p}.p95`,
    `${p}.p99`,
    `${p}.relativeAccuracy`,
  ] as const;

/**
 * Every number of a scenario's or campaign's `MetricsFigures` that an experiment can observe or
 * probe (the `metric` probe's `path`, `observe.metrics`).
 */
export const metricPaths = [
  'runs.total',
  'runs.succeeded',
  'runs.failed',
  'runs.crashed',
  'runs.successRate',
  ...distribution('runs.durationMs'),
  'tasks.total',
  'tasks.completed',
  'tasks.completionRate',
  'failures.total',
  'failures.injected',
  'failures.real',
  'failures.open',
  'failures.recovered',
  'failures.unrecovered',
  'failures.recoveryRate',
  ...distribution('mttrMs'),
  ...distribution('detectionMs'),
  'reconstruction.n',
  'reconstruction.mean',
  'reconstruction.min',
  'peerContext.recoveries',
  'peerContext.used',
  'peerContext.rate',
  'availability.observedMs',
  'availability.uptimeMs',
  'availability.downtimeMs',
  'availability.availability',
  'mtbfMs',
  'errorBudget.sloTarget',
  'errorBudget.requests',
  'errorBudget.failed',
  'errorBudget.allowed',
  'errorBudget.consumed',
  'errorBudget.remaining',
  'healing.attempts',
  'healing.healed',
  'healing.failed',
  'healing.escalations',
  'healing.successRate',
  ...distribution('healing.durationMs'),
  'liveness.verdicts',
  'liveness.truePositives',
  'liveness.falsePositives',
  'liveness.trueNegatives',
  'liveness.falseNegatives',
  'liveness.falsePositiveRate',
] as const satisfies readonly MetricPath[];

// Fails to compile when MetricsFigures gains a number this list lacks.
type Unlisted = Exclude<MetricPath, (typeof metricPaths)[number]>;
true satisfies [Unlisted] extends [never] ? true : Unlisted;

const metricSet: ReadonlySet<string> = new Set(metricPaths);

/** True when `path` is one of {@link metricPaths}. */
export function isMetricPath(path: string): path is MetricPath {
  return metricSet.has(path);
}

/** The unit of a metric: durations in ms, rates as ratios, the rest counts or numbers. */
export function metricUnit(path: MetricPath): ProbeUnit {
  const last = path.slice(path.lastIndexOf('.') + 1);
  if (last === 'n') return 'count';
  if (last === 'relativeAccuracy') return 'ratio';
  if (/Ms(\.|$)/.test(path)) return 'ms';
  if (
    /(rate|Rate|availability\.availability|consumed|remaining|sloTarget|reconstruction\.(mean|min))$/.test(
      path,
    )
  ) {
    return 'ratio';
  }
  if (path === 'errorBudget.allowed') return 'number';
  return 'count';
}

/** Reads a metric from figures; `null` when it has no value (e.g. a rate with no runs). */
export function readMetric(figures: MetricsFigures, path: MetricPath): number | null {
  let current: unknown = figures;
  for (const key of path.split('.')) current = (current as Record<string, unknown>)[key];
  return typeof current === 'number' ? current : null;
}

/** A percentile the time probes accept. */
export type ProbePercentile = 50 | 90 | 95 | 99;

/** The built-in probes: what each measures and its unit. */
export const builtinProbes = {
  'success-rate': { unit: 'ratio', description: 'share of workflow runs that succeeded' },
  'error-rate': { unit: 'ratio', description: 'share of workflow runs that failed' },
  'response-time': { unit: 'ms', description: 'a percentile of workflow run durations' },
  'recovery-rate': { unit: 'ratio', description: 'share of failures recovered from' },
  'completion-rate': { unit: 'ratio', description: 'share of tasks completed' },
  mttr: { unit: 'ms', description: 'a percentile of MTTR-A (failure to recovery)' },
  'detection-time': { unit: 'ms', description: 'a percentile of time to detect a failure' },
  availability: { unit: 'ratio', description: 'uptime over observed time' },
  crashes: { unit: 'count', description: 'workflow runs that crashed' },
  metric: { unit: 'number', description: 'any number of the metrics, by path' },
} as const satisfies Readonly<Record<string, { unit: ProbeUnit; description: string }>>;

/** The name of a built-in probe. */
export type BuiltinProbeName = keyof typeof builtinProbes;

/** The names of the built-in probes. */
export const builtinProbeNames = Object.keys(builtinProbes) as BuiltinProbeName[];

/** True when `name` is a built-in probe. */
export function isBuiltinProbe(name: string): name is BuiltinProbeName {
  return Object.hasOwn(builtinProbes, name);
}

/**
 * The metric a built-in probe reads (error-rate derives from `runs`), for a percentile where the
 * probe takes one. `undefined` for `error-rate`.
 */
export function builtinProbeMetric(
  probe: BuiltinProbeName,
  percentile: ProbePercentile = 95,
  path?: MetricPath,
): MetricPath | undefined {
  switch (probe) {
    case 'success-rate':
      return 'runs.successRate';
    case 'error-rate':
      return undefined;
    case 'response-time':
      return `runs.durationMs.p${String(percentile) as '50' | '90' | '95' | '99'}`;
    case 'recovery-rate':
      return 'failures.recoveryRate';
    case 'completion-rate':
      return 'tasks.completionRate';
    case 'mttr':
      return `mttrMs.p${String(percentile) as '50' | '90' | '95' | '99'}`;
    case 'detection-time':
      return `detectionMs.p${String(percentile) as '50' | '90' | '95' | '99'}`;
    case 'availability':
      return 'availability.availability';
    case 'crashes':
      return 'runs.crashed';
    case 'metric':
      return path;
  }
}

/**
 * Evaluates a built-in probe against figures; `null` when the figures hold no value (no runs,
 * no failures recovered, ...).
 *
 * @example
 * ```ts
 * measureBuiltinProbe(summary.campaign, 'response-time', 95); // p95 run duration in ms
 * ```
 */
export function measureBuiltinProbe(
  figures: MetricsFigures,
  probe: BuiltinProbeName,
  percentile?: ProbePercentile,
  path?: MetricPath,
): number | null {
  if (probe === 'error-rate') {
    return figures.runs.total === 0 ? null : figures.runs.failed / figures.runs.total;
  }
  const metric = builtinProbeMetric(probe, percentile, path);
  return metric === undefined ? null : readMetric(figures, metric);
}
