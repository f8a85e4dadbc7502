import { join } from 'node:path';
import { invalidOption, writeFileAtomic } from '../core/index.ts';
import { toCsv, type CsvOptions, type CsvValue } from './csv.ts';
import { MetricsRecorder } from './metrics-recorder.ts';
import type { MetricsSnapshot, MetricsSummary } from './types.ts';

/** Options of {@link exportMetrics}. */
export interface ExportMetricsOptions {
  /** Directory to write into (created if missing). */
  dir: string;
  /**
   * Start of every file name.
   * @default 'faultline-metrics'
   */
  prefix?: string;
  /**
   * Options of the two CSV files.
   * @default {} (formula guard on)
   */
  csv?: CsvOptions;
  /**
   * The timestamp in the file names, e.g. the wall-clock start of a campaign run in virtual
   * time (whose clock runs hours ahead).
   * @default metricsTimestamp(snapshot.generatedAt)
   */
  timestamp?: string;
}

/** What {@link exportMetrics} wrote. */
export interface MetricsExport {
  /** The timestamp in the file names (from the snapshot's `generatedAt`). */
  readonly timestamp: string;
  /** Absolute or relative paths, as `dir` was given. */
  readonly files: {
    /** The {@link MetricsSnapshot} as JSON. */
    readonly full: string;
    /** The {@link MetricsSummary} as JSON. */
    readonly summary: string;
    /** The event log, one row per event. */
    readonly events: string;
    /** One row per failure: times, status, MTTR-A. */
    readonly mttr: string;
  };
}

/**
 * A file-name-safe UTC timestamp of clock time `ms`: `2026-11-15T09-30-00-123Z`.
 */
export function metricsTimestamp(ms: number): string {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return `t${String(Math.round(ms))}`;
  return date.toISOString().replaceAll(':', '-').replace('.', '-');
}

function isoTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

/** The summary part of a snapshot (what `recorder.summary()` returns). */
export function summaryOf(snapshot: MetricsSnapshot): MetricsSummary {
  return {
    schema: snapshot.schema,
    name: snapshot.name,
    seed: snapshot.seed,
    startedAt: snapshot.startedAt,
    generatedAt: snapshot.generatedAt,
    settings: snapshot.settings,
    campaign: snapshot.campaign,
    scenarios: snapshot.scenarios,
    policies: snapshot.policies,
    faults: snapshot.faults,
    breakers: snapshot.breakers,
    mttrHistogram: snapshot.mttrHistogram,
  };
}

/** Header of the events CSV. */
export const eventsCsvHeader: readonly string[] = Object.freeze([
  'seq',
  'time_ms',
  'time_iso',
  'run_id',
  'category',
  'type',
  'source',
  'agent',
  'kind',
  'value',
  'detail',
]);

/** Header of the MTTR CSV. */
export const mttrCsvHeader: readonly string[] = Object.freeze([
  'failure_id',
  'run_id',
  'scenario',
  'agent',
  'kind',
  'injected',
  'status',
  'failed_at_ms',
  'failed_at_iso',
  'detected_at_ms',
  'resolved_at_ms',
  'mttr_ms',
  'detection_ms',
  'used_peer_context',
  'reconstruction_accuracy',
  'detail',
]);

/** The snapshot's event log as CSV (RFC 4180, header row, CRLF). */
export function eventsCsv(snapshot: MetricsSnapshot, options: CsvOptions = {}): string {
  return toCsv(
    eventsCsvHeader,
    snapshot.events.map((e): CsvValue[] => [
      e.seq,
      e.at,
      isoTime(e.at),
      e.runId,
      e.category,
      e.type,
      e.source,
      e.agent,
      e.kind,
      e.value,
      e.detail,
    ]),
    options,
  );
}

/** The snapshot's failures as CSV, one row each with its MTTR-A (RFC 4180, header row, CRLF). */
export function mttrCsv(snapshot: MetricsSnapshot, options: CsvOptions = {}): string {
  return toCsv(
    mttrCsvHeader,
    snapshot.failures.map((f): CsvValue[] => [
      f.id,
      f.runId,
      f.scenario,
      f.agent,
      f.kind,
      f.injected,
      f.status,
      f.at,
      isoTime(f.at),
      f.detectedAt,
      f.resolvedAt,
      f.mttrMs,
      f.detectionMs,
      f.usedPeerContext,
      f.reconstructionAccuracy,
      f.detail,
    ]),
    options,
  );
}

/**
 * Writes four files named with the snapshot's time, each atomically (a reader sees the old file
 * or the whole new one): `<prefix>-<timestamp>-full.json` (the {@link MetricsSnapshot}),
 * `-summary.json` (the {@link MetricsSummary}), `-events.csv` and `-mttr.csv`.
 *
 * @example
 * ```ts
 * const { files } = await exportMetrics(recorder, { dir: '.faultline/reports' });
 * // files.summary === '.faultline/reports/faultline-metrics-2026-11-15T09-30-00-123Z-summary.json'
 * ```
 */
export async function exportMetrics(
  source: MetricsRecorder | MetricsSnapshot,
  options: ExportMetricsOptions,
): Promise<MetricsExport> {
  const owner = 'exportMetrics';
  if (typeof options.dir !== 'string' || options.dir === '') {
    invalidOption(owner, 'dir', options.dir, 'a non-empty string');
  }
  const prefix = options.prefix ?? 'faultline-metrics';
  if (typeof prefix !== 'string' || prefix === '' || /[/\\\0]/.test(prefix)) {
    invalidOption(owner, 'prefix', prefix, 'a non-empty file-name part without / or \\');
  }
  const snapshot = source instanceof MetricsRecorder ? source.snapshot() : source;
  const timestamp = options.timestamp ?? metricsTimestamp(snapshot.generatedAt);
  const base = join(options.dir, `${prefix}-${timestamp}`);
  const files = {
    full: `${base}-full.json`,
    summary: `${base}-summary.json`,
    events: `${base}-events.csv`,
    mttr: `${base}-mttr.csv`,
  };
  const csv = options.csv ?? {};
  await Promise.all([
    writeFileAtomic(files.full, `${JSON.stringify(snapshot, null, 2)}\n`),
    writeFileAtomic(files.summary, `${JSON.stringify(summaryOf(snapshot), null, 2)}\n`),
    writeFileAtomic(files.events, eventsCsv(snapshot, csv)),
    writeFileAtomic(files.mttr, mttrCsv(snapshot, csv)),
  ]);
  return { timestamp, files };
}
