import { describe, expect, test } from 'vitest';
import { VirtualClock } from '../core/index.ts';
import { MetricsRecorder } from '../metrics/index.ts';
import {
  isMetricPath,
  measureBuiltinProbe,
  metricPaths,
  metricUnit,
  readMetric,
} from './experiment-probes.ts';

async function figures() {
  const clock = new VirtualClock();
  const recorder = new MetricsRecorder({ clock });
  for (let i = 0; i < 4; i++) {
    recorder.startRun({ runId: `r${String(i)}` });
    if (i === 0) {
      const id = recorder.recordFailure({ runId: 'r0', detectedAt: 300 });
      await clock.advance(2000);
      recorder.recordRecovery({ failureId: id });
    }
    await clock.advance(1000 * (i + 1));
    recorder.recordRun({ runId: `r${String(i)}`, success: i !== 3, crashed: i === 3 });
  }
  return recorder.figures();
}

describe('built-in probes', () => {
  test('read the figures of the runs', async () => {
    const f = await figures();
    expect(measureBuiltinProbe(f, 'success-rate')).toBe(0.75);
    expect(measureBuiltinProbe(f, 'error-rate')).toBe(0.25);
    expect(measureBuiltinProbe(f, 'crashes')).toBe(1);
    expect(measureBuiltinProbe(f, 'response-time', 50)).toBe(f.runs.durationMs.p50);
    expect(measureBuiltinProbe(f, 'response-time', 99)).toBe(4000);
    expect(measureBuiltinProbe(f, 'mttr')).toBe(2000);
    expect(measureBuiltinProbe(f, 'detection-time')).toBe(300);
    expect(measureBuiltinProbe(f, 'recovery-rate')).toBe(1);
    expect(measureBuiltinProbe(f, 'metric', undefined, 'failures.total')).toBe(1);
    expect(readMetric(f, 'reconstruction.mean')).toBeNull();
    expect(readMetric(f, 'peerContext.rate')).toBe(0);
  });

  test('error rate is null without runs', () => {
    const empty = new MetricsRecorder({ clock: new VirtualClock() }).figures();
    expect(measureBuiltinProbe(empty, 'error-rate')).toBeNull();
    expect(measureBuiltinProbe(empty, 'success-rate')).toBeNull();
  });
});

describe('metric paths', () => {
  test('every listed path names a number of the figures, with its unit', async () => {
    const f = await figures();
    for (const path of metricPaths) {
      const value = readMetric(f, path);
      expect(value === null || typeof value === 'number', path).toBe(true);
    }
    expect(isMetricPath('mttrMs.p95')).toBe(true);
    expect(isMetricPath('mttrMs.p59')).toBe(false);
    expect(
      [
        'runs.successRate',
        'mttrMs.p95',
        'mttrMs.n',
        'availability.availability',
        'mtbfMs',
        'runs.crashed',
        'errorBudget.allowed',
        'reconstruction.mean',
      ].map((p) => metricUnit(p as never)),
    ).toEqual(['ratio', 'ms', 'count', 'ratio', 'ms', 'count', 'number', 'ratio']);
  });
});
