import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/index.ts';
import { headlineFigures } from './headline-figures.ts';
import { MetricsRecorder } from './metrics-recorder.ts';

describe('headlineFigures', () => {
  it('names the headline numbers and leaves out what has no value', async () => {
    const clock = new VirtualClock();
    const recorder = new MetricsRecorder({ clock });
    recorder.startRun({ runId: 'a' });
    const failure = recorder.recordFailure({ runId: 'a', kind: 'crash' });
    await clock.advance(400);
    recorder.recordRecovery({ failureId: failure });
    recorder.recordRun({ runId: 'a', success: true });
    recorder.startRun({ runId: 'b' });
    recorder.recordRun({ runId: 'b', success: false });
    const headline = headlineFigures(recorder.summary().campaign);
    expect(headline).toMatchObject({
      runs: 2,
      successRate: 0.5,
      failures: 1,
      recoveryRate: 1,
      mttrP50Ms: 400,
      mttrP99Ms: 400,
    });
    expect(headline).not.toHaveProperty('falsePositiveRate');
  });
});
