import type { MetricsFigures } from './types.ts';

/**
 * The headline numbers of a campaign or experiment, under the names the run history lists,
 * compares and trends (`successRate`, `mttrP95Ms`, ...). Figures without a value (no failure,
 * so no MTTR) are left out rather than stored as zero.
 */
export function headlineFigures(figures: MetricsFigures): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (key: string, value: number | null): void => {
    if (value !== null && Number.isFinite(value)) out[key] = value;
  };
  put('runs', figures.runs.total);
  put('successRate', figures.runs.successRate);
  put('crashes', figures.runs.crashed);
  put('failures', figures.failures.total);
  put('recoveryRate', figures.failures.recoveryRate);
  put('mttrP50Ms', figures.mttrMs.p50);
  put('mttrP95Ms', figures.mttrMs.p95);
  put('mttrP99Ms', figures.mttrMs.p99);
  put('detectionP95Ms', figures.detectionMs.p95);
  put('availability', figures.availability.availability);
  put('falsePositiveRate', figures.liveness.falsePositiveRate);
  return out;
}
