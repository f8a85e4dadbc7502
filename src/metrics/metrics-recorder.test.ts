import { describe, expect, it } from 'vitest';
import { channelNames, isInvalidOptionError, VirtualClock } from '../core/index.ts';
import { MetricsRecorder, type MetricsRecorderOptions } from './metrics-recorder.ts';

function setup(options: MetricsRecorderOptions = {}) {
  const clock = new VirtualClock();
  const recorder = new MetricsRecorder({ clock, ...options });
  return { clock, recorder };
}

function invalid(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(isInvalidOptionError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected an InvalidOptionError');
}

/**
 * Four runs, hand-computed:
 *  r1 A [0, 1000]     f1 100 → 400 recovered (detected 150, accuracy 1)  downtime 300
 *  r2 A [1000, 3000]  f2 1200 → 2200 (accuracy 0.5, peer context), f3 1500 → 1700; union 1000
 *  r3 B [3000, 4000]  f4 3500, never recovered: closed at 4000; run failed     downtime 500
 *  r4 B [4000, 5000]  no failure; 3 of 4 tasks completed
 */
function campaign(options: MetricsRecorderOptions = {}) {
  const { clock, recorder } = setup({ sloTarget: 0.9, name: 'hand', seed: 7, ...options });
  recorder.startRun({ runId: 'r1', scenario: 'A', seed: 'r1-seed', at: 0 });
  const f1 = recorder.recordFailure({
    runId: 'r1',
    agent: 'product',
    kind: 'crash',
    at: 100,
    detectedAt: 150,
  });
  recorder.recordRecovery({ failureId: f1, at: 400, reconstructionAccuracy: 1 });
  recorder.recordRun({ runId: 'r1', endedAt: 1000, success: true });

  recorder.startRun({ runId: 'r2', scenario: 'A', at: 1000 });
  const f2 = recorder.recordFailure({ runId: 'r2', agent: 'marketing', kind: 'timeout', at: 1200 });
  const f3 = recorder.recordFailure({ runId: 'r2', agent: 'product', kind: 'crash', at: 1500 });
  recorder.recordRecovery({ failureId: f3, at: 1700 });
  recorder.recordRecovery({
    failureId: f2,
    at: 2200,
    usedPeerContext: true,
    reconstructionAccuracy: 0.5,
  });
  recorder.recordRun({ runId: 'r2', endedAt: 3000, success: true });

  recorder.recordFailure({ runId: 'r3', kind: 'network', at: 3500, injected: false });
  recorder.recordRun({
    runId: 'r3',
    scenario: 'B',
    startedAt: 3000,
    endedAt: 4000,
    success: false,
    error: new Error('tool server down'),
  });

  recorder.recordRun({
    runId: 'r4',
    scenario: 'B',
    startedAt: 4000,
    endedAt: 5000,
    success: true,
    tasksTotal: 4,
    tasksCompleted: 3,
  });
  return { clock, recorder };
}

describe('MetricsRecorder: figures against hand-computed values', () => {
  it('campaign: runs, tasks, failures, MTTR-A, availability, MTBF, error budget', () => {
    const { recorder } = campaign();
    const c = recorder.summary().campaign;
    expect(c.runs).toMatchObject({
      total: 4,
      succeeded: 3,
      failed: 1,
      crashed: 0,
      successRate: 0.75,
    });
    expect(c.runs.durationMs).toMatchObject({ n: 4, mean: 1250, min: 1000, max: 2000 });
    expect(c.tasks).toEqual({ total: 7, completed: 5, completionRate: 5 / 7 });
    expect(c.failures).toEqual({
      total: 4,
      injected: 3,
      real: 1,
      open: 0,
      recovered: 3,
      unrecovered: 1,
      recoveryRate: 0.75,
    });
    // MTTR-A samples 300, 1000, 200 → sorted 200, 300, 1000.
    expect(c.mttrMs).toEqual({
      n: 3,
      mean: 500,
      min: 200,
      max: 1000,
      p50: 300,
      p90: 1000,
      p95: 1000,
      p99: 1000,
      method: 'exact',
      relativeAccuracy: 0,
    });
    expect(c.detectionMs).toMatchObject({ n: 1, mean: 50 });
    expect(c.reconstruction).toEqual({ n: 2, mean: 0.75, min: 0.5 });
    expect(c.peerContext).toEqual({ recoveries: 3, used: 1, rate: 1 / 3 });
    // Observed 1000 + 2000 + 1000 + 1000; downtime 300 + 1000 + 500 + 0.
    expect(c.availability).toEqual({
      basis: 'runs',
      observedMs: 5000,
      uptimeMs: 3200,
      downtimeMs: 1800,
      availability: 0.64,
    });
    expect(c.mtbfMs).toBe(800); // 3200 ms up / 4 failures
    // SLO 90% over 4 runs allows 0.4 failed runs; 1 failed → 250% consumed.
    expect(c.errorBudget).toEqual({
      sloTarget: 0.9,
      requests: 4,
      failed: 1,
      allowed: 0.4,
      consumed: 2.5,
      remaining: 0,
      exhausted: true,
    });
  });

  it('per scenario, including failures recorded before their run named its scenario', () => {
    const { recorder } = campaign();
    const { A, B } = recorder.summary().scenarios;
    expect(A?.runs).toMatchObject({ total: 2, succeeded: 2 });
    expect(A?.failures).toMatchObject({ total: 3, recovered: 3, recoveryRate: 1 });
    expect(A?.mttrMs).toMatchObject({ n: 3, p50: 300, p99: 1000 });
    expect(A?.availability).toMatchObject({ observedMs: 3000, downtimeMs: 1300, uptimeMs: 1700 });
    expect(A?.mtbfMs).toBeCloseTo(1700 / 3, 9);
    expect(B?.runs).toMatchObject({ total: 2, succeeded: 1, failed: 1 });
    expect(B?.failures).toMatchObject({ total: 1, real: 1, unrecovered: 1, recoveryRate: 0 });
    expect(B?.availability).toMatchObject({
      observedMs: 2000,
      downtimeMs: 500,
      availability: 0.75,
    });
    expect(B?.mtbfMs).toBe(1500);
    expect(B?.tasks).toEqual({ total: 5, completed: 3, completionRate: 0.6 });
  });

  it('per run records', () => {
    const { recorder } = campaign();
    const runs = recorder.snapshot().runs;
    expect(runs.map((r) => r.runId)).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(runs[0]).toMatchObject({
      scenario: 'A',
      seed: 'r1-seed',
      durationMs: 1000,
      failures: 1,
      recovered: 1,
      downtimeMs: 300,
      availability: 0.7,
      mttrMs: { n: 1, mean: 300, max: 300 },
      error: null,
    });
    expect(runs[1]).toMatchObject({
      downtimeMs: 1000,
      availability: 0.5,
      mttrMs: { n: 2, mean: 600, max: 1000 },
    });
    expect(runs[2]).toMatchObject({
      scenario: 'B',
      success: false,
      failures: 1,
      recovered: 0,
      downtimeMs: 500,
      tasksCompleted: 0,
      error: 'Error: tool server down',
    });
    const failures = recorder.snapshot().failures;
    expect(failures.map((f) => [f.id, f.status, f.mttrMs, f.resolvedAt, f.scenario])).toEqual([
      ['f1', 'recovered', 300, 400, 'A'],
      ['f2', 'recovered', 1000, 2200, 'A'],
      ['f3', 'recovered', 200, 1700, 'A'],
      ['f4', 'unrecovered', null, 4000, 'B'],
    ]);
  });

  it('self-healing figures and the false-positive rate', () => {
    const { recorder } = setup();
    recorder.recordHealing({
      outcome: 'healed',
      agent: 'product',
      action: 'restart',
      durationMs: 200,
    });
    recorder.recordHealing({ outcome: 'healed', agent: 'product', durationMs: 400 });
    recorder.recordHealing({ outcome: 'failed', agent: 'marketing' });
    recorder.recordHealing({ outcome: 'escalated', agent: 'marketing' });
    // DelayedRecovery: one slow agent declared dead (false positive), three slow agents waited
    // for (true negatives), one dead agent declared dead (true positive).
    recorder.recordLivenessVerdict({ declaredDead: true, actuallyDead: false });
    for (let i = 0; i < 3; i++)
      recorder.recordLivenessVerdict({ declaredDead: false, actuallyDead: false });
    recorder.recordLivenessVerdict({ declaredDead: true, actuallyDead: true });
    const c = recorder.figures();
    expect(c.healing).toMatchObject({
      attempts: 3,
      healed: 2,
      failed: 1,
      escalations: 1,
      successRate: 2 / 3,
    });
    expect(c.healing.durationMs).toMatchObject({ n: 2, mean: 300 });
    expect(c.liveness).toEqual({
      verdicts: 5,
      truePositives: 1,
      falsePositives: 1,
      trueNegatives: 3,
      falseNegatives: 0,
      falsePositiveRate: 0.25,
    });
    const progress = recorder.progress();
    expect(progress.healing.recent.map((e) => e.type)).toEqual([
      'healed',
      'healed',
      'failed',
      'escalated',
    ]);
  });

  it('availability on the recorder timeline when no run has finished', async () => {
    const { clock, recorder } = setup();
    const a = recorder.recordFailure({ at: 100 });
    const b = recorder.recordFailure({ at: 200 });
    recorder.recordRecovery({ failureId: a, at: 300 });
    recorder.recordRecovery({ failureId: b, at: 500 });
    recorder.recordFailure({ at: 800 }); // still open at 1000
    await clock.advance(1000);
    const c = recorder.figures();
    // Down [100, 500] and [800, 1000] = 600 of 1000 ms.
    expect(c.availability).toEqual({
      basis: 'timeline',
      observedMs: 1000,
      uptimeMs: 400,
      downtimeMs: 600,
      availability: 0.4,
    });
    expect(c.mtbfMs).toBeCloseTo(400 / 3, 9);
    expect(c.failures).toMatchObject({ total: 3, open: 1, recovered: 2, recoveryRate: 2 / 3 });
  });

  it('measures MTTR-A from detection when told to', () => {
    const { recorder } = setup({ mttrFrom: 'detection' });
    const id = recorder.recordFailure({ at: 1000 });
    recorder.recordRecovery({ failureId: id, at: 5000, detectedAt: 3000 });
    const c = recorder.figures();
    expect(c.mttrMs.mean).toBe(2000);
    expect(c.detectionMs.mean).toBe(2000);
  });

  it('ends every open failure of a run (or of one agent) at once', () => {
    const { recorder } = setup();
    recorder.startRun({ runId: 'r', at: 0 });
    recorder.recordFailure({ runId: 'r', agent: 'a', at: 10 });
    recorder.recordFailure({ runId: 'r', agent: 'b', at: 20 });
    recorder.recordFailure({ runId: 'r', agent: 'b', at: 30 });
    expect(recorder.recordRecovery({ runId: 'r', agent: 'b', at: 100 })).toBe(2);
    expect(recorder.recordRecovery({ runId: 'r', at: 110 })).toBe(1);
    expect(recorder.recordRecovery({ runId: 'r', at: 120 })).toBe(0);
    expect(recorder.figures().mttrMs).toMatchObject({ n: 3, min: 70, max: 100 });
  });

  it('error budget: 1% of 100 runs is exactly 1 failure', () => {
    const { recorder } = setup();
    for (let i = 0; i < 100; i++) {
      recorder.recordRun({ runId: `r${i}`, startedAt: 0, endedAt: 10, success: i !== 0 });
    }
    expect(recorder.figures().errorBudget).toEqual({
      sloTarget: 0.99,
      requests: 100,
      failed: 1,
      allowed: 1,
      consumed: 1,
      remaining: 0,
      exhausted: true,
    });
  });

  it('percentiles come from a sketch beyond exactLimit, and memory stays bounded', () => {
    const { recorder } = setup({ exactLimit: 100, maxRuns: 50, maxFailures: 50, maxEvents: 20 });
    for (let i = 0; i < 1000; i++) {
      const id = recorder.recordFailure({ runId: `r${i}`, at: i * 10 });
      recorder.recordRecovery({ failureId: id, at: i * 10 + (i + 1) });
      recorder.recordRun({
        runId: `r${i}`,
        startedAt: i * 10,
        endedAt: i * 10 + 2000,
        success: true,
      });
    }
    const snapshot = recorder.snapshot();
    // MTTR-A samples are 1..1000 ms: exact p50 500, p95 950, p99 990.
    const mttr = snapshot.campaign.mttrMs;
    expect(mttr.method).toBe('sketch');
    expect(mttr.n).toBe(1000);
    expect(mttr.mean).toBe(500.5);
    expect(Math.abs((mttr.p50 as number) - 500) / 500).toBeLessThanOrEqual(0.01);
    expect(Math.abs((mttr.p95 as number) - 950) / 950).toBeLessThanOrEqual(0.01);
    expect(Math.abs((mttr.p99 as number) - 990) / 990).toBeLessThanOrEqual(0.01);
    expect(snapshot.runs).toHaveLength(50);
    expect(snapshot.runs[0]?.runId).toBe('r950');
    expect(snapshot.failures).toHaveLength(50);
    expect(snapshot.events).toHaveLength(20);
    expect(snapshot.retention).toEqual({
      runs: { kept: 50, dropped: 950, limit: 50 },
      failures: { kept: 50, dropped: 950, limit: 50 },
      events: { kept: 20, dropped: 2980, limit: 20 },
    });
    expect(snapshot.events.at(-1)?.seq).toBe(3000);
  });
});

describe('MetricsRecorder: snapshot, progress and events', () => {
  it('snapshot is plain JSON with nulls, never undefined, and toJSON is the snapshot', () => {
    const { recorder } = campaign();
    const snapshot = recorder.snapshot();
    expect(JSON.parse(JSON.stringify(snapshot))).toStrictEqual(snapshot);
    expect(JSON.parse(JSON.stringify(recorder))).toStrictEqual(snapshot);
    expect(Object.keys(snapshot)).toEqual([
      'schema',
      'name',
      'seed',
      'startedAt',
      'generatedAt',
      'settings',
      'campaign',
      'scenarios',
      'policies',
      'faults',
      'breakers',
      'mttrHistogram',
      'runs',
      'failures',
      'events',
      'retention',
    ]);
    expect(snapshot).toMatchObject({ schema: 'faultline.metrics/v1', name: 'hand', seed: '7' });
    expect(snapshot.settings).toEqual({
      mttrFrom: 'injection',
      sloTarget: 0.9,
      relativeAccuracy: 0.01,
      exactLimit: 10_000,
      histogramBoundsMs: [
        10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000,
        600_000,
      ],
    });
    // 200, 300 in (100, 250] and (250, 500]; 1000 in (500, 1000].
    expect(snapshot.mttrHistogram.counts.slice(0, 8)).toEqual([0, 0, 0, 0, 1, 1, 1, 0]);
  });

  it('logs events in order with their run, and streams them to onEvent', () => {
    const { recorder } = setup();
    const seen: string[] = [];
    const sub = recorder.onEvent((e) => seen.push(`${e.category}:${e.type}`));
    recorder.startRun({ runId: 'r', scenario: 'S', at: 0 });
    const id = recorder.recordFailure({
      runId: 'r',
      agent: 'product',
      kind: 'crash',
      at: 5,
      detail: 'at 50%',
    });
    recorder.recordRecovery({ failureId: id, at: 25 });
    recorder.recordRun({ runId: 'r', endedAt: 30, success: true });
    sub.dispose();
    expect(seen).toEqual(['run:run-start', 'failure:failure', 'recovery:recovered', 'run:run-end']);
    const events = recorder.snapshot().events;
    expect(events.map((e) => [e.seq, e.at, e.runId])).toEqual([
      [1, 0, 'r'],
      [2, 5, 'r'],
      [3, 25, 'r'],
      [4, 30, 'r'],
    ]);
    expect(events[1]).toEqual({
      seq: 2,
      at: 5,
      runId: 'r',
      category: 'failure',
      type: 'failure',
      source: null,
      agent: 'product',
      kind: 'crash',
      value: null,
      detail: 'injected failure f1: at 50%',
    });
    expect(events[2]?.value).toBe(20);
  });

  it('progress: runs in flight, success rate over time buckets that widen as time goes on', async () => {
    const { clock, recorder } = setup({
      timelineBucketMs: 100,
      timelineBuckets: 4,
      plannedRuns: 10,
    });
    recorder.startRun({ runId: 'a' });
    recorder.startRun({ runId: 'b' });
    await clock.advance(50);
    recorder.recordRun({ runId: 'a', success: true });
    let p = recorder.progress();
    expect(p).toMatchObject({ plannedRuns: 10, runsDone: 1, runsInFlight: 1, successRate: 1 });
    expect(p.timeline.bucketMs).toBe(100);
    await clock.advance(600); // t = 650: past 4 × 100 ms, so the buckets double to 200 ms
    recorder.recordFailure({ runId: 'b' });
    recorder.recordRun({ runId: 'b', success: false });
    p = recorder.progress();
    expect(p).toMatchObject({
      runsDone: 2,
      runsSucceeded: 1,
      runsFailed: 1,
      runsInFlight: 0,
      successRate: 0.5,
    });
    expect(p.timeline.bucketMs).toBe(200);
    const empty = { failures: 0, recoveries: 0, injections: 0, healingEvents: 0 };
    expect(p.timeline.buckets).toEqual([
      { start: 0, end: 200, runs: 1, succeeded: 1, successRate: 1, ...empty },
      { start: 200, end: 400, runs: 0, succeeded: 0, successRate: null, ...empty },
      { start: 400, end: 600, runs: 0, succeeded: 0, successRate: null, ...empty },
      { start: 600, end: 800, runs: 1, succeeded: 0, successRate: 0, ...empty, failures: 1 },
    ]);
    await clock.advance(1000); // t = 1650: 4 × 400 ms still ends at 1600, so 800 ms buckets
    recorder.recordHealing({ outcome: 'healed' });
    p = recorder.progress();
    expect(p.timeline.bucketMs).toBe(800);
    expect(p.timeline.buckets.map((b) => [b.start, b.runs, b.failures, b.healingEvents])).toEqual([
      [0, 2, 1, 0],
      [800, 0, 0, 0],
      [1600, 0, 0, 1],
    ]);
  });

  it('progress: breaker states and injections by kind from channel messages', async () => {
    const { clock, recorder } = setup();
    const msg = (source: string, event: unknown) => ({ source, event });
    recorder.recordChannelMessage(
      channelNames.circuitStateChange,
      msg('tools', { from: 'closed', to: 'open', at: 0 }),
    );
    recorder.recordChannelMessage(
      channelNames.circuitBreak,
      msg('tools', { reason: 'consecutive', retryAfterMs: 1000, failureCount: 3 }),
    );
    recorder.recordChannelMessage(
      channelNames.faultInjected,
      msg('chaos', {
        fault: 'boom',
        kind: 'crash',
        outcome: 'injected',
        target: { operation: 'op' },
        effect: { type: 'crash-at' },
      }),
    );
    recorder.recordChannelMessage(
      channelNames.faultInjected,
      msg('chaos', {
        fault: 'slow',
        kind: 'latency',
        outcome: 'masked',
        target: { operation: 'op' },
        effect: { type: 'delay', ms: 5 },
      }),
    );
    await clock.advance(1500);
    recorder.recordChannelMessage(
      channelNames.circuitStateChange,
      msg('tools', { from: 'open', to: 'half-open' }),
    );
    const p = recorder.progress();
    expect(p.breakers).toEqual([{ name: 'tools', state: 'half-open', since: 1500, trips: 1 }]);
    expect(p.injections).toEqual({ total: 1, byKind: { crash: 1, latency: 0 } });
    await clock.advance(500);
    expect(recorder.summary().breakers.tools).toMatchObject({ openMs: 2000, trips: 1 });
  });
});

describe('MetricsRecorder: validation', () => {
  it('rejects bad options at construction', () => {
    expect(invalid(() => new MetricsRecorder({ sloTarget: 1 }))).toBe(
      "MetricsRecorder: option 'sloTarget' must be a number >= 0 and < 1, got 1",
    );
    invalid(() => new MetricsRecorder({ sloTarget: -0.5 }));
    invalid(() => new MetricsRecorder({ relativeAccuracy: 0 }));
    invalid(() => new MetricsRecorder({ exactLimit: 1.5 }));
    invalid(() => new MetricsRecorder({ mttrFrom: 'recovery' as 'injection' }));
    invalid(() => new MetricsRecorder({ maxEvents: -1 }));
    invalid(() => new MetricsRecorder({ timelineBucketMs: 0 }));
    invalid(() => new MetricsRecorder({ histogramBoundsMs: [5, 1] }));
  });

  it('rejects records that cannot be right', () => {
    const { recorder } = setup();
    expect(invalid(() => recorder.recordRecovery({ failureId: 'nope' }))).toBe(
      'MetricsRecorder.recordRecovery: option \'failureId\' must be the id of an open failure, got "nope"',
    );
    invalid(() => recorder.recordRecovery({}));
    const id = recorder.recordFailure({ at: 100 });
    invalid(() => recorder.recordFailure({ id }));
    invalid(() => recorder.recordRecovery({ failureId: id, at: 50 }));
    invalid(() => recorder.recordRecovery({ failureId: id, at: 150, reconstructionAccuracy: 1.5 }));
    invalid(() => recorder.recordFailure({ at: 10, detectedAt: 5 }));
    invalid(() => recorder.recordRun({ runId: 'x', success: true }));
    invalid(() => recorder.recordRun({ runId: 'x', startedAt: 10, endedAt: 5, success: true }));
    invalid(() =>
      recorder.recordRun({
        runId: 'x',
        startedAt: 0,
        success: true,
        tasksTotal: 2,
        tasksCompleted: 3,
      }),
    );
    invalid(() => recorder.recordRun({ runId: '', startedAt: 0, success: true }));
    invalid(() => {
      recorder.recordHealing({ outcome: 'maybe' as 'healed' });
    });
    recorder.recordRun({ runId: 'done', startedAt: 0, success: true });
    invalid(() => recorder.recordRun({ runId: 'done', startedAt: 0, success: true }));
    invalid(() => {
      recorder.startRun({ runId: 'done' });
    });
    // A rejected record leaves nothing behind in its run.
    invalid(() => recorder.recordFailure({ runId: 'z', agent: 7 as unknown as string }));
    expect(recorder.recordRun({ runId: 'z', startedAt: 0, success: true }).failures).toBe(0);
    // The failure stays open and countable after the rejected recoveries.
    expect(recorder.figures().failures).toMatchObject({ total: 1, open: 1 });
  });
});
