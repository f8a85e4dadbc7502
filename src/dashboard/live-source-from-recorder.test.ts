import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelNames, isInvalidOptionError, VirtualClock } from '../core/index.ts';
import { MetricsRecorder } from '../metrics/index.ts';
import { LiveFeed } from './live-feed.ts';
import { emptyLiveSnapshot, estimateEtaMs } from './live-snapshot.ts';
import { liveSourceFromRecorder } from './live-source-from-recorder.ts';
import { toLiveSnapshot } from './to-live-snapshot.ts';

function injection(recorder: MetricsRecorder, kind: string): void {
  recorder.recordChannelMessage(channelNames.faultInjected, {
    source: 'chaos',
    event: { fault: `${kind}-1`, kind, outcome: 'applied', target: {}, effect: { type: 'fail' } },
  });
}

function breaker(recorder: MetricsRecorder, name: string, from: string, to: string): void {
  if (to === 'open') {
    recorder.recordChannelMessage(channelNames.circuitBreak, {
      source: name,
      event: { reason: 'consecutive', retryAfterMs: 30_000, failureCount: 5 },
    });
  }
  recorder.recordChannelMessage(channelNames.circuitStateChange, {
    source: name,
    event: { from, to },
  });
  if (to === 'closed') {
    recorder.recordChannelMessage(channelNames.circuitReset, {
      source: name,
      event: { reason: 'probe-succeeded' },
    });
  }
}

describe('estimateEtaMs', () => {
  it('is the remaining runs at the pace so far', () => {
    expect(estimateEtaMs(10_000, 10, 50)).toBe(40_000);
    expect(estimateEtaMs(10_000, 50, 50)).toBe(0);
    expect(estimateEtaMs(10_000, 0, 50)).toBeNull();
    expect(estimateEtaMs(10_000, 10, null)).toBeNull();
  });

  it('shrinks as runs finish at a steady pace and reaches 0', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 500 }),
        (per, planned) => {
          let previous = Infinity;
          for (let done = 1; done <= planned; done++) {
            const eta = estimateEtaMs(per * done, done, planned);
            expect(eta).toBe(per * (planned - done));
            expect(eta as number).toBeLessThanOrEqual(previous);
            previous = eta as number;
          }
          expect(previous).toBe(0);
        },
      ),
    );
  });
});

describe('LiveFeed', () => {
  it('holds the last published snapshot and notifies listeners', () => {
    const feed = new LiveFeed();
    expect(feed.snapshot()).toEqual(emptyLiveSnapshot());
    const seen: number[] = [];
    const sub = feed.onUpdate(() => seen.push(feed.snapshot().progress.runsDone));
    feed.update((s) => ({ ...s, progress: { ...s.progress, runsDone: 1 } }));
    feed.update((s) => ({ ...s, progress: { ...s.progress, runsDone: 2 } }));
    sub.dispose();
    feed.update((s) => ({ ...s, progress: { ...s.progress, runsDone: 3 } }));
    expect(seen).toEqual([1, 2]);
    expect(feed.snapshot().progress.runsDone).toBe(3);
  });
});

describe('toLiveSnapshot / liveSourceFromRecorder', () => {
  it('maps a recorder mid-campaign to what the dashboard shows', () => {
    const clock = new VirtualClock({ start: 1_000 });
    const recorder = new MetricsRecorder({ clock, name: 'checkout', seed: 7, plannedRuns: 4 });
    recorder.startRun({ runId: 'r1' });
    injection(recorder, 'crash');
    const f = recorder.recordFailure({ runId: 'r1', agent: 'product', kind: 'crash' });
    recorder.recordRecovery({ failureId: f, at: 2_200 });
    recorder.recordHealing({ outcome: 'healed', agent: 'product', runId: 'r1', at: 2_200 });
    recorder.recordRun({ runId: 'r1', success: true, endedAt: 2_300 });
    recorder.startRun({ runId: 'r2', at: 2_300 });
    injection(recorder, 'latency');
    injection(recorder, 'latency');
    recorder.recordHealing({ outcome: 'escalated', agent: 'marketing', runId: 'r2', at: 2_400 });
    recorder.recordRun({ runId: 'r2', success: false, endedAt: 2_500 });

    const live = toLiveSnapshot(recorder.progress(), { name: 'checkout', seed: '7' });
    expect(live.name).toBe('checkout');
    expect(live.status).toBe('running');
    expect(live.progress).toMatchObject({
      runsDone: 2,
      runsPlanned: 4,
      runsFailed: 1,
      runsInFlight: 0,
      failures: 1,
      recovered: 1,
    });
    expect(live.successRate.overall).toBe(0.5);
    const finished = live.successRate.overTime.filter((p) => p.runs > 0);
    expect(finished.reduce((n, p) => n + p.runs, 0)).toBe(2);
    expect(live.injections).toEqual({ total: 3, byKind: { crash: 1, latency: 2 } });
    expect(live.mttr.n).toBe(1);
    expect(live.mttr.p50).toBe(1_200);
    expect(live.mttr.mean).toBe(1_200);
    expect(live.mttr.counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(live.mttr.counts).toHaveLength(live.mttr.bounds.length + 1);
    expect(live.healing).toMatchObject({ healed: 1, failed: 0, escalations: 1 });
    expect(live.healing.recent.map((e) => [e.type, e.agent])).toEqual([
      ['healed', 'product'],
      ['escalated', 'marketing'],
    ]);
    expect(JSON.parse(JSON.stringify(live))).toEqual(live);
  });

  it('infers idle, running and finished unless told', () => {
    const clock = new VirtualClock();
    const recorder = new MetricsRecorder({ clock, plannedRuns: 1 });
    expect(toLiveSnapshot(recorder.progress()).status).toBe('idle');
    recorder.startRun({ runId: 'r1' });
    expect(toLiveSnapshot(recorder.progress()).status).toBe('running');
    recorder.recordRun({ runId: 'r1', success: true });
    expect(toLiveSnapshot(recorder.progress()).status).toBe('finished');
    expect(toLiveSnapshot(recorder.progress(), { status: 'aborted' }).status).toBe('aborted');
  });

  it('notifies on every recorded event, computes the ETA on its own clock, keeps breaker transitions', async () => {
    const campaignClock = new VirtualClock();
    const wall = new VirtualClock({ start: 50_000 });
    const recorder = new MetricsRecorder({ clock: campaignClock, name: 'search', plannedRuns: 4 });
    const live = liveSourceFromRecorder(recorder, { clock: wall, maxTransitions: 3 });
    let updates = 0;
    const sub = live.onUpdate(() => updates++);
    expect(live.snapshot()).toMatchObject({ name: 'search', seed: null, status: 'idle' });

    recorder.recordRun({ runId: 'r1', success: true, startedAt: 0, endedAt: 10 });
    await wall.advance(2_000);
    expect(updates).toBe(1);
    expect(live.snapshot().progress).toMatchObject({ runsDone: 1, elapsedMs: 2_000, etaMs: 6_000 });

    await campaignClock.advance(100);
    breaker(recorder, 'payments', 'closed', 'open');
    await campaignClock.advance(100);
    breaker(recorder, 'payments', 'open', 'half-open');
    await campaignClock.advance(100);
    breaker(recorder, 'payments', 'half-open', 'closed');
    await campaignClock.advance(100);
    breaker(recorder, 'inventory', 'closed', 'open');
    expect(updates).toBe(4); // run end, break, reset, break: state changes alone log nothing
    const snapshot = live.snapshot();
    expect(snapshot.breakers).toEqual([
      { name: 'inventory', state: 'open', since: 400, trips: 1 },
      { name: 'payments', state: 'closed', since: 300, trips: 1 },
    ]);
    expect(snapshot.breakerTransitions.map((t) => `${t.name}:${t.from}>${t.to}@${t.at}`)).toEqual([
      'payments:open>half-open@200',
      'payments:half-open>closed@300',
      'inventory:closed>open@400',
    ]);

    live.setStatus('aborted');
    expect(updates).toBe(5);
    expect(live.snapshot().status).toBe('aborted');
    live.setStatus(undefined);
    expect(live.snapshot().status).toBe('running');

    live.dispose();
    recorder.recordRun({ runId: 'r2', success: true, startedAt: 0, endedAt: 10 });
    expect(updates).toBe(6); // setStatus(undefined) notified; the recorder no longer does
    sub.dispose();
  });

  it('rejects a bad maxTransitions', () => {
    const recorder = new MetricsRecorder({ clock: new VirtualClock() });
    let error: unknown;
    try {
      liveSourceFromRecorder(recorder, { maxTransitions: -1 });
    } catch (e) {
      error = e;
    }
    expect(isInvalidOptionError(error)).toBe(true);
    expect((error as Error).message).toMatch(/liveSourceFromRecorder.*maxTransitions.*-1/);
  });
});
