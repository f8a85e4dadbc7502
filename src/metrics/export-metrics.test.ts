import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isInvalidOptionError, VirtualClock } from '../core/index.ts';
import {
  eventsCsv,
  eventsCsvHeader,
  exportMetrics,
  metricsTimestamp,
  mttrCsv,
  mttrCsvHeader,
} from './export-metrics.ts';
import { MetricsRecorder } from './metrics-recorder.ts';
import type { MetricsSnapshot, MetricsSummary } from './types.ts';

const start = Date.UTC(2026, 10, 15, 9, 30, 0, 123);
let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faultline-metrics-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function recorded(): MetricsRecorder {
  const clock = new VirtualClock({ start });
  const recorder = new MetricsRecorder({ clock, seed: 'export' });
  recorder.startRun({ runId: 'r1', scenario: 'HandoffCorruption' });
  const id = recorder.recordFailure({
    runId: 'r1',
    agent: 'marketing',
    kind: 'corruption',
    detail: 'field "price" was "12,50"\nexpected a number',
    at: start + 10,
  });
  recorder.recordRecovery({ failureId: id, at: start + 260, reconstructionAccuracy: 1 });
  recorder.recordFailure({ runId: 'r1', agent: '=cmd|calc', at: start + 300 });
  recorder.recordRun({
    runId: 'r1',
    endedAt: start + 1000,
    success: false,
    error: 'gave up, "badly"',
  });
  return recorder;
}

/** Minimal RFC 4180 reader for checking the files. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('metricsTimestamp', () => {
  it('is a file-name-safe UTC time from the clock', () => {
    expect(metricsTimestamp(start)).toBe('2026-11-15T09-30-00-123Z');
    expect(metricsTimestamp(0)).toBe('1970-01-01T00-00-00-000Z');
    expect(metricsTimestamp(1e20)).toBe('t100000000000000000000');
  });
});

describe('exportMetrics', () => {
  it('writes the four files, named with the clock time, and nothing else', async () => {
    const recorder = recorded();
    const result = await exportMetrics(recorder, { dir });
    const stamp = '2026-11-15T09-30-00-123Z';
    expect(result.timestamp).toBe(stamp);
    expect(result.files).toEqual({
      full: join(dir, `faultline-metrics-${stamp}-full.json`),
      summary: join(dir, `faultline-metrics-${stamp}-summary.json`),
      events: join(dir, `faultline-metrics-${stamp}-events.csv`),
      mttr: join(dir, `faultline-metrics-${stamp}-mttr.csv`),
    });
    expect((await readdir(dir)).sort()).toEqual([
      `faultline-metrics-${stamp}-events.csv`,
      `faultline-metrics-${stamp}-full.json`,
      `faultline-metrics-${stamp}-mttr.csv`,
      `faultline-metrics-${stamp}-summary.json`,
    ]);

    const full = JSON.parse(await readFile(result.files.full, 'utf8')) as MetricsSnapshot;
    expect(full).toStrictEqual(JSON.parse(JSON.stringify(recorder.snapshot())));
    const summary = JSON.parse(await readFile(result.files.summary, 'utf8')) as MetricsSummary;
    expect(summary).toStrictEqual(JSON.parse(JSON.stringify(recorder.summary())));
    expect(summary).not.toHaveProperty('events');
    expect(summary.campaign.mttrMs).toMatchObject({ n: 1, p50: 250, p99: 250 });
  });

  it('uses the timestamp it is given in the file names', async () => {
    const result = await exportMetrics(recorded(), { dir, timestamp: '2026-01-02T03-04-05-006Z' });
    expect(result.timestamp).toBe('2026-01-02T03-04-05-006Z');
    expect(result.files.events).toBe(
      join(dir, 'faultline-metrics-2026-01-02T03-04-05-006Z-events.csv'),
    );
  });

  it('writes CSV a spreadsheet reads back field for field', async () => {
    const recorder = recorded();
    const { files } = await exportMetrics(recorder, { dir, prefix: 'campaign' });
    expect(files.mttr.endsWith('-mttr.csv')).toBe(true);
    const mttr = parseCsv(await readFile(files.mttr, 'utf8'));
    expect(mttr[0]).toEqual([...mttrCsvHeader]);
    expect(mttr).toHaveLength(3);
    const row = Object.fromEntries(mttrCsvHeader.map((h, i) => [h, mttr[1]?.[i]]));
    expect(row).toEqual({
      failure_id: 'f1',
      run_id: 'r1',
      scenario: 'HandoffCorruption',
      agent: 'marketing',
      kind: 'corruption',
      injected: 'true',
      status: 'recovered',
      failed_at_ms: String(start + 10),
      failed_at_iso: '2026-11-15T09:30:00.133Z',
      detected_at_ms: '',
      resolved_at_ms: String(start + 260),
      mttr_ms: '250',
      detection_ms: '',
      used_peer_context: '',
      reconstruction_accuracy: '1',
      detail: 'field "price" was "12,50"\nexpected a number',
    });
    expect(mttr[2]?.[3]).toBe("'=cmd|calc"); // formula guard
    expect(mttr[2]?.[6]).toBe('unrecovered');

    const text = await readFile(files.events, 'utf8');
    expect(text).toBe(eventsCsv(recorder.snapshot()));
    const events = parseCsv(text);
    expect(events[0]).toEqual([...eventsCsvHeader]);
    expect(events.map((e) => e[5])).toEqual([
      'type',
      'run-start',
      'failure',
      'recovered',
      'failure',
      'unrecovered',
      'run-end',
    ]);
    expect(events.at(-1)?.[10]).toBe('run failed in 1000 ms: gave up, "badly"');
    expect(mttrCsv(recorder.snapshot())).toBe(await readFile(files.mttr, 'utf8'));
  });

  it('replaces an older export of the same name whole, leaving no temporary file', async () => {
    const recorder = recorded();
    const name = join(dir, 'faultline-metrics-2026-11-15T09-30-00-123Z-summary.json');
    await writeFile(name, 'old');
    await exportMetrics(recorder, { dir });
    expect((await readFile(name, 'utf8')).startsWith('{')).toBe(true);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('exports a snapshot as well as a recorder, into a new directory', async () => {
    const snapshot = recorded().snapshot();
    const { files } = await exportMetrics(snapshot, { dir: join(dir, 'a', 'b') });
    expect(JSON.parse(await readFile(files.full, 'utf8'))).toStrictEqual(
      JSON.parse(JSON.stringify(snapshot)),
    );
  });

  it('rejects a bad directory or prefix', async () => {
    const recorder = recorded();
    for (const options of [{ dir: '' }, { dir, prefix: '../x' }, { dir, prefix: '' }]) {
      const error: unknown = await exportMetrics(recorder, options).catch((e: unknown) => e);
      expect(isInvalidOptionError(error)).toBe(true);
    }
    expect(await readdir(dir)).toEqual([]);
  });
});
