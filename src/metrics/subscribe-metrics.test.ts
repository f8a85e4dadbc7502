import { AsyncLocalStorage } from 'node:async_hooks';
import { channel } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { channelNames, createRandom, VirtualClock, type Subscription } from '../core/index.ts';
import { chaos, withChaos } from '../faults/index.ts';
import {
  bulkhead,
  circuitBreaker,
  consecutiveFailures,
  retry,
  timeout,
} from '../policies/index.ts';
import { constant } from '../schedule/index.ts';
import { MetricsRecorder } from './metrics-recorder.ts';
import { subscribeMetrics } from './subscribe-metrics.ts';

const boom = new Error('boom');
let subscription: Subscription | undefined;

afterEach(() => {
  subscription?.dispose();
  subscription = undefined;
});

function setup(options: Parameters<typeof subscribeMetrics>[1] = {}) {
  const clock = new VirtualClock();
  const recorder = new MetricsRecorder({ clock });
  subscription = subscribeMetrics(recorder, options);
  return { clock, recorder, random: createRandom('subscribe-metrics') };
}

describe('subscribeMetrics with real producers', () => {
  it('counts a real retry policy: retries with delays, a success after retries, a give-up', async () => {
    const { clock, recorder, random } = setup();
    const policy = retry({
      clock,
      random,
      name: 'llm-retry',
      maxAttempts: 3,
      schedule: constant(100),
    });
    let calls = 0;
    const flaky = (): Promise<string> =>
      ++calls < 3 ? Promise.reject(boom) : Promise.resolve('ok');
    await expect(clock.run(policy.execute(flaky))).resolves.toBe('ok');
    await expect(clock.run(policy.execute(() => Promise.reject(boom)))).rejects.toBe(boom);

    const { policies } = recorder.summary();
    expect(policies.counters).toMatchObject({ retry: 4, retrySuccess: 1, retryGiveUp: 1 });
    expect(policies.bySource['llm-retry']).toMatchObject({
      retry: 4,
      retrySuccess: 1,
      retryGiveUp: 1,
    });
    expect(policies.retryGiveUpsByReason).toEqual({ attempts: 1 });
    const events = recorder.snapshot().events.map((e) => [e.type, e.at, e.value, e.source]);
    expect(events).toEqual([
      ['retry', 0, 100, 'llm-retry'],
      ['retry', 100, 100, 'llm-retry'],
      ['retry-success', 200, 3, 'llm-retry'],
      ['retry', 200, 100, 'llm-retry'],
      ['retry', 300, 100, 'llm-retry'],
      ['retry-give-up', 400, 3, 'llm-retry'],
    ]);
    expect(recorder.snapshot().events[0]?.detail).toBe(
      'attempt 1 failed (Error: boom); retrying in 100 ms',
    );
  });

  it('follows a real circuit breaker: trips, state changes with times, rejections, reset', async () => {
    const { clock, recorder } = setup();
    const breaker = circuitBreaker({
      clock,
      name: 'tool-server',
      strategy: consecutiveFailures({ threshold: 2 }),
      resetTimeout: 1_000,
    });
    for (let i = 0; i < 2; i++)
      await expect(breaker.execute(() => Promise.reject(boom))).rejects.toBe(boom);
    await expect(breaker.execute(() => 'refused')).rejects.toThrow();
    expect(recorder.progress().breakers).toEqual([
      { name: 'tool-server', state: 'open', since: 0, trips: 1 },
    ]);
    await clock.advance(1_000);
    await expect(breaker.execute(() => 'probe')).resolves.toBe('probe');

    const b = recorder.summary().breakers['tool-server'];
    expect(b).toMatchObject({
      state: 'closed',
      since: 1_000,
      trips: 1,
      halfOpens: 1,
      resets: 1,
      rejections: 1,
      failures: 2,
      successes: 1,
      openMs: 1_000,
    });
    expect(b?.transitions).toEqual([
      { from: 'closed', to: 'open', at: 0 },
      { from: 'open', to: 'half-open', at: 1_000 },
      { from: 'half-open', to: 'closed', at: 1_000 },
    ]);
    const logged = recorder.snapshot().events.map((e) => [e.category, e.type, e.kind]);
    expect(logged).toEqual([
      ['breaker', 'circuit-break', 'consecutive-failures'],
      ['breaker', 'circuit-half-open', null],
      ['breaker', 'circuit-reset', 'half-open-success'],
    ]);
  });

  it('counts timeouts and bulkhead rejections', async () => {
    const { clock, recorder } = setup();
    const deadline = timeout({ ms: 500, clock, name: 'model-deadline' });
    await expect(clock.run(deadline.execute(() => clock.sleep(1_000)))).rejects.toThrow();
    const pool = bulkhead({ maxConcurrent: 1, name: 'tools' });
    const first = pool.execute(() => clock.sleep(10));
    await expect(pool.execute(() => 'second')).rejects.toThrow();
    await clock.run(first);
    const { policies } = recorder.summary();
    expect(policies.counters).toMatchObject({ timeout: 1, bulkheadRejected: 1 });
    expect(policies.bulkheadRejectionsByReason).toEqual({ full: 1 });
    expect(recorder.snapshot().events.map((e) => [e.type, e.source, e.value])).toEqual([
      ['timeout', 'model-deadline', 500],
      ['bulkhead-rejected', 'tools', 1],
    ]);
  });

  it('counts injections of a real chaos scope by kind, fault and effect', async () => {
    const { clock, recorder } = setup();
    const upload = withChaos(async () => 'uploaded', {
      operation: 'tool:upload',
      agent: 'product',
    });
    const scope = chaos.run(
      {
        enabled: true,
        seed: 'metrics',
        clock,
        killSwitch: false,
        faults: [
          { kind: 'crash', name: 'product-crash', probability: 1, target: { agent: 'product' } },
          { kind: 'latency', name: 'slow-net', ms: 0, probability: 1 },
        ],
      },
      async () => {
        await expect(upload()).rejects.toThrow();
        await expect(upload()).rejects.toThrow();
      },
    );
    await clock.run(scope);
    const { faults } = recorder.summary();
    expect(faults.injections).toBe(4);
    expect(faults.byKind).toEqual({
      crash: { injected: 2, masked: 0 },
      latency: { injected: 2, masked: 0 },
    });
    expect(faults.byFault).toEqual({ 'product-crash': 2, 'slow-net': 2 });
    expect(faults.byEffect).toEqual({ delay: 2, fail: 2 });
    expect(faults.stops).toEqual({ 'scope-end': 1 });
    const injection = recorder.snapshot().events.find((e) => e.kind === 'crash');
    expect(injection).toMatchObject({
      category: 'fault',
      type: 'injection',
      source: 'chaos',
      agent: 'product',
      detail: "crash 'product-crash' on tool:upload: fail",
    });
    expect(recorder.progress().injections).toEqual({ total: 4, byKind: { crash: 2, latency: 2 } });
  });

  it('attributes messages to the current run, and handlers turn events into recordings', async () => {
    const runs = new AsyncLocalStorage<string>();
    const { clock, recorder, random } = setup({
      currentRun: () => runs.getStore(),
      handlers: {
        'faultline:test:agent-crashed': ({ event }, rec, runId) => {
          rec.recordFailure({
            ...(runId === undefined ? {} : { runId }),
            agent: (event as { agent: string }).agent,
            kind: 'crash',
          });
        },
      },
    });
    const policy = retry({ clock, random, maxAttempts: 2, schedule: constant(10) });
    recorder.startRun({ runId: 'run-1' });
    await runs.run('run-1', async () => {
      channel('faultline:test:agent-crashed').publish({
        source: 'product',
        event: { agent: 'product' },
      });
      let n = 0;
      await clock.run(
        policy.execute(() => (++n === 1 ? Promise.reject(boom) : Promise.resolve(n))),
      );
    });
    recorder.recordRecovery({ runId: 'run-1', at: 10 });
    const run = recorder.recordRun({ runId: 'run-1', success: true });
    expect(run.counters).toEqual({ 'faultline:test:agent-crashed': 1, retry: 1, retrySuccess: 1 });
    expect(run).toMatchObject({ failures: 1, recovered: 1, mttrMs: { n: 1, mean: 10, max: 10 } });
    expect(recorder.summary().policies.counters['faultline:test:agent-crashed']).toBe(1);
    const custom = recorder.snapshot().events.find((e) => e.category === 'channel');
    expect(custom).toMatchObject({ type: 'agent-crashed', source: 'product', runId: 'run-1' });
  });

  it('counts and logs channels it does not interpret, labelled by the run id in the event', () => {
    const { recorder } = setup({ channels: ['faultline:test:agent-failed'] });
    recorder.startRun({ runId: 'known' });
    const publish = (event: unknown): void => {
      channel('faultline:test:agent-failed').publish({ source: 'orchestrator', event });
    };
    publish({
      runId: 'known',
      agent: 'orchestrator/product',
      durationMs: 12,
      error: { name: 'E' },
    });
    publish({ runId: 'someone-elses', agent: 'x', note: 'y'.repeat(100) });
    const run = recorder.recordRun({ runId: 'known', success: true });
    expect(run.counters).toEqual({ 'faultline:test:agent-failed': 1 });
    const events = recorder.snapshot().events.filter((e) => e.category === 'channel');
    expect(events.map((e) => [e.type, e.runId, e.agent, e.kind])).toEqual([
      ['agent-failed', 'known', 'orchestrator/product', 'faultline:test:agent-failed'],
      ['agent-failed', 'someone-elses', 'x', 'faultline:test:agent-failed'],
    ]);
    expect(events[0]?.detail).toBe('runId=known agent=orchestrator/product durationMs=12');
    expect(events[1]?.detail).toBe(`runId=someone-elses agent=x note=${'y'.repeat(59)}…`);
    // The foreign run id labelled the event but did not become a run in flight.
    expect(recorder.progress().runsInFlight).toBe(0);
  });

  it('leaves out the channels it is told to ignore', () => {
    const { recorder } = setup({ ignore: [channelNames.agentNote] });
    recorder.startRun({ runId: 'r' });
    channel(channelNames.agentNote).publish({ source: 'a', event: { runId: 'r', note: 'n' } });
    channel(channelNames.agentFailed).publish({ source: 'a', event: { runId: 'r', agent: 'a' } });
    expect(channel(channelNames.agentNote).hasSubscribers).toBe(false);
    expect(recorder.recordRun({ runId: 'r', success: true }).counters).toEqual({
      agentFailed: 1,
    });
  });

  it('stops counting once disposed', async () => {
    const { clock, recorder, random } = setup();
    subscription?.dispose();
    const policy = retry({ clock, random, maxAttempts: 2, schedule: constant(0) });
    await clock.run(policy.execute(() => Promise.reject(boom)).catch(() => undefined));
    expect(recorder.summary().policies.counters).toEqual({});
    expect(channel(channelNames.retry).hasSubscribers).toBe(false);
  });

  it('turns a message it cannot record into a warning, never an exception in the producer', () => {
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      setup({
        handlers: {
          'faultline:test:bad': (_message, rec) => {
            rec.recordRecovery({ failureId: 'missing' });
          },
        },
      });
      expect(() => {
        channel('faultline:test:bad').publish({ source: 'x', event: {} });
      }).not.toThrow();
      expect(warnings).toHaveBeenCalledTimes(1);
      expect(String(warnings.mock.calls[0]?.[0])).toContain('faultline:test:bad');
    } finally {
      warnings.mockRestore();
    }
  });
});
