import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createRandom, isInvalidOptionError, VirtualClock, type Clock } from '../core/index.ts';
import { chaos, ChaosScope, isInjectedFault, type FaultContext } from '../faults/index.ts';
import { MetricsRecorder, subscribeMetrics } from '../metrics/index.ts';
import type {
  ExperimentAlert,
  ExperimentBatch,
  RunBatch,
  ToxicClient,
} from './experiment-runner-types.ts';
import {
  isExperimentJournalError,
  parseExperimentJournal,
  readExperimentJournal,
} from './experiment-runner-journal.ts';
import { experimentHistoryRecord } from './experiment-runner-result.ts';
import { parseExperiment } from './load-experiment.ts';
import { runExperiment, type RunExperimentOptions } from './run-experiment.ts';

/** The system under test, as the fake batch sees it. */
interface FakeSystem {
  /** Runs fail in the steady-state check before the method. */
  unhealthy?: boolean;
  /** An injection leaves the system broken: every later run fails (until repaired). */
  breaksOnInjection?: boolean;
  /** Upload attempts per run. */
  attempts?: number;
  /** Calls per attempt (each an injection site). */
  calls?: number;
  /** Called before each run (to trip things from tests). */
  beforeRun?: (batch: ExperimentBatch, index: number) => void;
}

interface FakeState {
  broken: boolean;
  readonly batches: ExperimentBatch[];
  readonly runs: Record<string, number>;
}

const site = { operation: 'tool:upload', tool: 'upload' } as const;

/** A batch of fake workflow runs on the batch's clock, recorded into a real MetricsRecorder. */
function fakeBatch(system: FakeSystem = {}): { runBatch: RunBatch; state: FakeState } {
  const state: FakeState = { broken: false, batches: [], runs: {} };
  const runBatch: RunBatch = async (batch) => {
    state.batches.push(batch);
    const clock = batch.clock;
    const recorder = new MetricsRecorder({ name: batch.phase, seed: batch.seed, clock });
    const subscription = subscribeMetrics(recorder);
    let failed = 0;
    try {
      for (let i = 0; i < batch.runs; i++) {
        if (batch.signal.aborted) break;
        system.beforeRun?.(batch, i);
        // beforeRun may have tripped the kill switch.
        if ((batch.signal as { aborted: boolean }).aborted) break;
        const runId = `${batch.seed}-${batch.phase}-${String(i)}`;
        const startedAt = clock.now();
        const work = async (): Promise<{ ok: boolean; error?: unknown }> => {
          if (state.broken) return { ok: false, error: new Error('state is broken') };
          if (system.unhealthy === true && batch.phase === 'steady-state-before') {
            await clock.sleep(100);
            return { ok: i % 2 === 0, error: new Error('unhealthy') };
          }
          let failureId: string | undefined;
          let lastError: unknown;
          for (let attempt = 1; attempt <= (system.attempts ?? 3); attempt++) {
            try {
              for (let c = 0; c < (system.calls ?? 1); c++) {
                await chaos.execute(site, () => clock.sleep(100));
              }
              if (failureId !== undefined) recorder.recordRecovery({ failureId });
              return { ok: true };
            } catch (error) {
              lastError = error;
              if (isInjectedFault(error) && system.breaksOnInjection === true) state.broken = true;
              failureId ??= recorder.recordFailure({
                runId,
                injected: isInjectedFault(error),
                detectedAt: clock.now() + 50,
              });
              await clock.sleep(400);
            }
          }
          return { ok: false, error: lastError };
        };
        let outcome: { ok: boolean; error?: unknown };
        try {
          outcome =
            batch.chaos === undefined
              ? await work()
              : await chaos.run(
                  new ChaosScope({
                    ...batch.chaos,
                    enabled: true,
                    seed: runId,
                    name: runId,
                    clock,
                  }),
                  work,
                  { signal: batch.signal },
                );
        } catch (error) {
          outcome = { ok: false, error };
        }
        if (!outcome.ok) failed++;
        state.runs[batch.phase] = (state.runs[batch.phase] ?? 0) + 1;
        recorder.recordRun({ runId, startedAt, success: outcome.ok, error: outcome.error });
        batch.onProgress({ runsDone: i + 1, runsPlanned: batch.runs, runsFailed: failed });
      }
    } finally {
      subscription.dispose();
    }
    return { summary: recorder.summary(), journal: { fake: true, phase: batch.phase } };
  };
  return { runBatch, state };
}

function experimentText(
  overrides: {
    method?: string;
    rollback?: string;
    killSwitch?: string;
    probes?: string;
    extra?: string;
  } = {},
): string {
  return `
title: Uploads fail for half a second
system: fake
runs: 10
seed: 5
hypothesis: When uploads fail for 500 ms, the system will retry and succeed.
steadyState:
  probes:
${overrides.probes ?? "    - probe: success-rate\n      tolerance: '> 90%'"}
method:
${
  overrides.method ??
  `  - type: fault
    name: upload-down
    fault: { kind: network, error: ECONNREFUSED }
    target: { tool: upload }
    duration: 500ms`
}
rollback:
${overrides.rollback ?? '  strategy: always'}
killSwitch:
${overrides.killSwitch ?? '  errorRate: false'}
successCriteria:
  detectsFailure: { within: 1s }
  corruptsNoData: false
${overrides.extra ?? ''}
`;
}

const load = (text: string) =>
  parseExperiment(text, 'uploads.yaml', { probes: ['healthy'], actions: ['repair'] });

async function run(
  text: string,
  system: FakeSystem = {},
  options: Partial<RunExperimentOptions> = {},
) {
  const clock = new VirtualClock({ start: 1_000_000 });
  const fake = fakeBatch(system);
  const events: string[] = [];
  const result = await clock.run(
    runExperiment(load(text), {
      runBatch: fake.runBatch,
      clock,
      onEvent: (e) => events.push(`${e.type}: ${e.detail}`),
      ...options,
    }),
  );
  return { ...result, state: fake.state, events, clock };
}

const dir = await mkdtemp(join(tmpdir(), 'faultline-run-experiment-'));
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runExperiment: steady state, method, steady state, rollbacks', () => {
  test('a system that retries through the fault completes and confirms the hypothesis', async () => {
    const r = await run(experimentText());
    expect(r.status).toBe('completed');
    expect(r.hypothesisConfirmed).toBe(true);
    expect(r.passed).toBe(true);
    expect(r.state.batches.map((b) => [b.phase, b.runs, b.chaos === undefined])).toEqual([
      ['steady-state-before', 10, true],
      ['method', 10, false],
      ['steady-state-after', 10, true],
    ]);
    const j = r.journal;
    expect(j.steadyStateBefore?.met).toBe(true);
    expect(j.steadyStateBefore?.probes).toEqual([
      expect.objectContaining({
        name: 'success-rate',
        value: 1,
        shown: '100%',
        tolerance: '> 90%',
        ok: true,
      }),
    ]);
    expect(j.steadyStateAfter?.met).toBe(true);
    // Each run: attempts at 0 ms and 400 ms fall in the 500 ms window, the third succeeds.
    expect(j.method?.steps).toEqual([
      expect.objectContaining({
        name: 'upload-down',
        type: 'fault',
        status: 'ended',
        injections: 20,
      }),
    ]);
    expect(j.method?.figures?.runs).toMatchObject({ total: 10, succeeded: 10 });
    expect(j.criteria).toEqual([
      expect.objectContaining({ criterion: 'detects-failure', met: true }),
      expect.objectContaining({ criterion: 'handles-without-crashing', met: true }),
      expect.objectContaining({ criterion: 'recovers', met: true }),
    ]);
    expect(j.rollback).toMatchObject({ strategy: 'always', ran: true });
    expect(j.rollback.actions).toEqual([
      expect.objectContaining({ action: 'clear-faults', status: 'succeeded' }),
    ]);
    expect(j.method?.batch).toEqual({ fake: true, phase: 'method' });
    expect(r.result).toMatchObject({
      id: 'uploads',
      seed: '5',
      runs: 10,
      status: 'completed',
      hypothesisConfirmed: true,
      faultKinds: ['network'],
      rollback: { strategy: 'always', ran: true },
    });
    expect(r.result.steadyState).toEqual([
      {
        name: 'success-rate',
        tolerance: '> 90%',
        before: { value: '100%', ok: true },
        after: { value: '100%', ok: true },
      },
    ]);
    const order = r.events.map((e) => e.split(':')[0]);
    expect(order[0]).toBe('experiment-started');
    expect(order.at(-1)).toBe('experiment-finished');
    expect(order.indexOf('rollback')).toBeGreaterThan(order.lastIndexOf('probe'));
  });

  test('steady state not met before: the method is skipped, nothing is injected', async () => {
    const r = await run(experimentText(), { unhealthy: true });
    expect(r.status).toBe('skipped');
    expect(r.hypothesisConfirmed).toBeNull();
    expect(r.state.batches.map((b) => b.phase)).toEqual(['steady-state-before']);
    expect(r.journal.steadyStateBefore?.probes[0]).toMatchObject({ value: 0.5, ok: false });
    expect(r.journal.method).toBeNull();
    expect(r.journal.steadyStateAfter).toBeNull();
    expect(r.result.steadyState[0]).toEqual({
      name: 'success-rate',
      tolerance: '> 90%',
      before: { value: '50%', ok: false },
    });
    expect(r.journal.criteria).toEqual([]);
  });

  test('a fault that leaves the system broken: steady state not met after → deviated', async () => {
    const r = await run(
      experimentText({ rollback: '  strategy: on-deviation\n  actions: [{ action: repair }]' }),
      {
        breaksOnInjection: true,
      },
      {
        rollbacks: {
          repair: () => {
            repaired++;
          },
        },
      },
    );
    expect(r.status).toBe('deviated');
    expect(r.hypothesisConfirmed).toBe(false);
    expect(r.passed).toBe(false);
    expect(r.journal.steadyStateAfter?.met).toBe(false);
    expect(r.journal.steadyStateAfter?.probes[0]).toMatchObject({ value: 0, ok: false });
    expect(r.journal.criteria.find((c) => c.criterion === 'recovers')?.met).toBe(false);
    expect(r.journal.rollback.ran).toBe(true);
    expect(r.journal.rollback.actions).toEqual([
      expect.objectContaining({ name: 'repair', action: 'repair', status: 'succeeded' }),
    ]);
    expect(repaired).toBe(1);
  });
  let repaired = 0;

  test.each([
    ['always', false, true],
    ['always', true, true],
    ['on-deviation', false, false],
    ['on-deviation', true, true],
    ['never', false, false],
    ['never', true, false],
  ] as const)(
    'rollback strategy %s, deviated: %s → rollbacks run: %s',
    async (strategy, deviates, ran) => {
      const r = await run(experimentText({ rollback: `  strategy: ${strategy}` }), {
        breaksOnInjection: deviates,
      });
      expect(r.status).toBe(deviates ? 'deviated' : 'completed');
      expect(r.journal.rollback.ran).toBe(ran);
      expect(r.journal.rollback.actions.length).toBe(ran ? 1 : 0);
      expect(r.result.rollback).toEqual({ strategy, ran });
    },
  );

  test('an expectation that fails: completed, but the hypothesis is not confirmed', async () => {
    const r = await run(
      experimentText({ extra: 'expected:\n  detectionTime: <= 10ms\n  gracefulFailure: true' }),
    );
    expect(r.status).toBe('completed');
    expect(r.hypothesisConfirmed).toBe(false);
    expect(r.journal.expectations).toEqual([
      expect.objectContaining({
        id: 'detection-time',
        passed: false,
        actual: '50 ms (worst of 10 runs)',
      }),
      expect.objectContaining({ id: 'graceful-failure', passed: true }),
    ]);
  });
});

describe('runExperiment: fault windows', () => {
  test('a run-scoped fault starts at its offset in every run', async () => {
    // Five 100 ms calls per attempt: the fifth starts 400 ms into the run, inside a window from
    // 400 ms for 200 ms; the retry starts at 800 ms, after it. Every run is hit exactly once.
    const late = await run(
      experimentText({
        method: `  - type: fault
    name: late
    fault: { kind: network }
    start: 400ms
    duration: 200ms`,
      }),
      { calls: 5 },
    );
    expect(late.journal.method?.steps[0]).toMatchObject({ status: 'ended', injections: 10 });
    expect(late.journal.method?.figures?.runs.succeeded).toBe(10);
    // A window that closes before the fifth call starts is never reached.
    const early = await run(
      experimentText({
        method: `  - type: fault
    name: gone
    fault: { kind: network }
    start: 450ms
    duration: 500ms`,
      }),
      { calls: 5 },
    );
    expect(early.journal.method?.steps[0]).toMatchObject({
      injections: 0,
      note: 'no injection made',
    });
  });

  test('an experiment-scoped fault is one window on the method timeline, and pauses shift it', async () => {
    // Each run takes 100 ms when nothing fails; the window 1 s after a 500 ms pause covers the
    // runs starting in [1500, 1700) of the method.
    const r = await run(
      experimentText({
        method: `  - type: pause
    duration: 500ms
  - type: fault
    name: blip
    scope: experiment
    fault: { kind: network }
    start: 1s
    duration: 200ms`,
      }),
      { attempts: 1 },
    );
    const steps = r.journal.method?.steps ?? [];
    expect(steps.map((s) => [s.name, s.type, s.atMs, s.status])).toEqual([
      ['pause-1', 'pause', 0, 'waited'],
      ['blip', 'fault', 1500, 'ended'],
    ]);
    expect(steps[1]?.injections).toBe(0);
    // Runs at 0, 100, 200 ms succeed; the run at 300 ms falls in the window and fails (taking
    // 400 ms), so the next one starts after the window has closed.
    const r2 = await run(
      experimentText({
        method: `  - type: fault
    name: blip
    scope: experiment
    fault: { kind: network }
    start: 300ms
    duration: 200ms`,
      }),
      { attempts: 1 },
    );
    expect(r2.journal.method?.steps[0]?.injections).toBe(1);
    expect(r2.journal.method?.figures?.runs).toMatchObject({ failed: 1, succeeded: 9 });
  });

  test('failureRate overrides probabilities and faultKinds filters actions', async () => {
    const none = await run(experimentText(), {}, { failureRate: 0 });
    expect(none.journal.method?.steps[0]?.injections).toBe(0);
    const filtered = await run(experimentText(), {}, { faultKinds: ['disk'] });
    expect(filtered.journal.method?.steps[0]).toMatchObject({
      status: 'skipped',
      note: 'its kind (network) is not among the chaos types chosen',
    });
    const timeoutAlias = await run(experimentText(), {}, { faultKinds: ['timeout', 'NETWORK'] });
    expect(timeoutAlias.journal.method?.steps[0]?.status).toBe('ended');
  });

  test('durationMs caps the windows', async () => {
    const r = await run(experimentText(), {}, { durationMs: 100 });
    expect(r.journal.method?.steps[0]?.injections).toBe(10);
  });
});

describe('runExperiment: kill switch', () => {
  test('error rate of a run over the threshold trips it: injection stops, rollbacks run, alert', async () => {
    const alerts: ExperimentAlert[] = [];
    const r = await run(
      experimentText({
        killSwitch: '  errorRate: { threshold: 50%, window: 10s, minCalls: 3 }',
        rollback: '  strategy: never',
        method: `  - type: fault
    name: upload-down
    fault: { kind: network }`,
      }),
      { attempts: 5 },
      { onAlert: (a) => alerts.push(a) },
    );
    expect(r.status).toBe('aborted');
    expect(r.hypothesisConfirmed).toBeNull();
    expect(r.journal.killSwitch).toMatchObject({ trigger: 'error-rate', phase: 'method' });
    expect(r.journal.killSwitch?.detail).toMatch(/^run 5-method-0: /);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      experiment: 'uploads',
      trigger: 'error-rate',
      phase: 'method',
    });
    // The first run tripped it; no other run of the method started, no steady state after.
    expect(r.state.runs.method).toBe(1);
    // The run it made is in the journal and the result (partial figures).
    expect(r.journal.method?.runs).toBe(1);
    expect(r.result.runs).toBe(1);
    expect(r.state.batches.map((b) => b.phase)).toEqual(['steady-state-before', 'method']);
    expect(r.state.batches[1]?.signal.aborted).toBe(true);
    // Restoring normal operation overrides strategy "never".
    expect(r.journal.rollback).toMatchObject({
      ran: true,
      reason: 'the kill switch tripped: restoring normal operation',
    });
    expect(r.result.killSwitch?.trigger).toBe('error-rate');
  });

  test('a batch that finishes no run for `unresponsive` trips it', async () => {
    const r = await run(
      experimentText({
        killSwitch: '  errorRate: false\n  unresponsive: 1m',
        method: `  - type: fault
    name: stuck
    fault: { kind: hang }`,
      }),
    );
    expect(r.status).toBe('aborted');
    expect(r.journal.killSwitch).toMatchObject({ trigger: 'unresponsive', phase: 'method' });
    // The per-run and the batch watchdogs both stand at one minute of silence.
    expect(r.journal.killSwitch?.atMs).toBe((r.journal.method?.startedAtMs ?? 0) + 60_000);
    expect(r.state.runs.method).toBe(1);
  });

  test('tripped by hand through killSignal (SIGUSR2 in the CLI) during the method', async () => {
    const controller = new AbortController();
    const alerts: ExperimentAlert[] = [];
    const r = await run(
      experimentText(),
      {
        beforeRun: (batch, i) => {
          if (batch.phase === 'method' && i === 3) controller.abort('SIGUSR2 received');
        },
      },
      { killSignal: controller.signal, onAlert: (a) => alerts.push(a) },
    );
    expect(r.status).toBe('aborted');
    expect(r.journal.killSwitch).toMatchObject({
      trigger: 'manual',
      detail: 'SIGUSR2 received',
      phase: 'method',
    });
    expect(alerts.map((a) => a.trigger)).toEqual(['manual']);
    expect(r.state.runs.method).toBe(3);
    expect(r.journal.steadyStateAfter).toBeNull();
    expect(r.journal.rollback.ran).toBe(true);
  });

  test('a killSignal already aborted stops the experiment before anything runs', async () => {
    const r = await run(
      experimentText(),
      {},
      { killSignal: AbortSignal.abort(new Error('stop now')) },
    );
    expect(r.status).toBe('aborted');
    expect(r.journal.killSwitch).toMatchObject({ trigger: 'manual', detail: 'stop now' });
    expect(r.state.batches).toEqual([]);
  });
});

describe('runExperiment: MCP faults', () => {
  test('go to the batch windowed on the method timeline; clear-mcp-faults stops them', async () => {
    const clock = new VirtualClock({ start: 1_000_000 });
    const fake = fakeBatch();
    const seen: { origin: number; batch: ExperimentBatch }[] = [];
    const runBatch: RunBatch = (batch) => {
      if (batch.phase === 'method') seen.push({ origin: batch.clock.now(), batch });
      return fake.runBatch(batch);
    };
    const text = experimentText({
      method: `  - type: mcp-fault
    name: tool-errors
    server: files
    fault: { kind: mcp-rpc-error, message: boom }
    start: 1s
    duration: 2s`,
      rollback: '  strategy: always\n  actions: [{ action: clear-mcp-faults, server: files }]',
    });
    const context = (now: number): FaultContext => ({
      site: { operation: 'tools/call', tool: 'read' },
      random: createRandom('mcp'),
      clock,
      now,
      seed: 'mcp',
      state: new Map(),
    });
    const r = await clock.run(runExperiment(load(text), { runBatch, clock }));
    expect(r.status).toBe('completed');
    const [method] = seen;
    expect(method?.batch.mcpFaults.map((f) => [f.action, f.server, f.fault.kind])).toEqual([
      ['tool-errors', 'files', 'mcp-rpc-error'],
    ]);
    expect(method?.batch.chaos?.faults).toEqual([]);
    const fault = method?.batch.mcpFaults[0]?.fault;
    const origin = method?.origin ?? 0;
    // The rollback ran (strategy always): the fault no longer fires, even inside its window.
    expect(r.journal.rollback.actions).toEqual([
      expect.objectContaining({ action: 'clear-mcp-faults', status: 'succeeded' }),
    ]);
    expect(fault?.effect(context(origin + 1_500))).toBeUndefined();
    expect(r.journal.method?.steps[0]).toMatchObject({ type: 'mcp-fault', kind: 'mcp-rpc-error' });
  });

  test('fire only inside their window while not cleared', async () => {
    const clock = new VirtualClock({ start: 0 });
    let mcp: ExperimentBatch['mcpFaults'] = [];
    const fake = fakeBatch();
    const runBatch: RunBatch = (batch) => {
      if (batch.phase === 'method') mcp = batch.mcpFaults;
      return fake.runBatch(batch);
    };
    const text = experimentText({
      method: `  - type: mcp-fault
    name: tool-errors
    fault: { kind: mcp-rpc-error }
    start: 1s
    duration: 2s`,
      rollback: '  strategy: never',
    });
    const r = await clock.run(runExperiment(load(text), { runBatch, clock }));
    const fault = mcp[0]?.fault;
    const origin = r.journal.startedAt + (r.journal.method?.startedAtMs ?? 0);
    const at = (now: number): FaultContext => ({
      site: { operation: 'tools/call', tool: 'read' },
      random: createRandom('mcp'),
      clock,
      now,
      seed: 'mcp',
      state: new Map(),
    });
    expect(fault?.effect(at(origin + 999))).toBeUndefined();
    expect(fault?.effect(at(origin + 1_000))).toMatchObject({ type: 'fail' });
    expect(fault?.effect(at(origin + 2_999))).toMatchObject({ type: 'fail' });
    expect(fault?.effect(at(origin + 3_000))).toBeUndefined();
  });
});

describe('runExperiment: toxics, probes, rollback actions, failures', () => {
  function fakeProxy(clock: Clock, failAdd = false) {
    const log: string[] = [];
    const present = new Set<string>();
    const client: ToxicClient = {
      addToxic: (proxy, input) => {
        if (failAdd) return Promise.reject(new Error('HTTP 404: proxy not found'));
        log.push(
          `${String(clock.now() - 1_000_000)} add ${proxy}/${input.name} ${input.type} ${JSON.stringify(input.attributes)}`,
        );
        present.add(`${proxy}/${input.name}`);
        return Promise.resolve({});
      },
      removeToxic: (proxy, name) => {
        log.push(`${String(clock.now() - 1_000_000)} remove ${proxy}/${name}`);
        present.delete(`${proxy}/${name}`);
        return Promise.resolve();
      },
      toxics: (proxy) =>
        Promise.resolve(
          [...present]
            .filter((k) => k.startsWith(`${proxy}/`))
            .map((k) => ({ name: k.slice(proxy.length + 1) })),
        ),
      reset: () => {
        log.push('reset');
        present.clear();
        return Promise.resolve();
      },
    };
    return { client, log, present };
  }

  const toxicMethod = `  - type: toxic
    name: slow-db
    proxy: db
    toxic: { type: latency, attributes: { latency: 2s } }
    start: 2s
    duration: 3s
  - type: toxic
    name: cut
    proxy: api
    admin: http://127.0.0.1:9999
    toxic: { type: reset_peer }`;

  test('toxics are added and removed through the admin API on the method timeline', async () => {
    const clock = new VirtualClock({ start: 1_000_000 });
    const proxy = fakeProxy(clock);
    const fake = fakeBatch({ attempts: 1 });
    // 100 runs of 100 ms: the method lasts 10 s.
    const r = await clock.run(
      runExperiment(
        load(
          experimentText({
            method: toxicMethod,
            rollback: '  strategy: always\n  actions: [{ action: reset-proxies }]',
          }),
        ),
        {
          runBatch: fake.runBatch,
          clock,
          runs: 100,
          steadyStateRuns: 5,
          toxicClient: () => proxy.client,
        },
      ),
    );
    const method = r.journal.method;
    const start = (method?.startedAtMs ?? 0) + r.journal.startedAt - 1_000_000;
    expect(proxy.log).toEqual([
      `${String(start)} add api/cut reset_peer {}`,
      `${String(start + 2_000)} add db/slow-db latency {"latency":2000}`,
      `${String(start + 5_000)} remove db/slow-db`,
      `${String(start + 10_000)} remove api/cut`,
      'reset',
    ]);
    expect(method?.steps.map((s) => [s.name, s.status, s.appliedAtMs !== undefined])).toEqual([
      ['slow-db', 'removed', true],
      ['cut', 'removed', true],
    ]);
    expect(r.result.faultKinds).toEqual(['network']);
    expect(r.status).toBe('completed');
  });

  test('a toxic that cannot be added fails the experiment; on-deviation rollbacks run', async () => {
    const clock = new VirtualClock({ start: 1_000_000 });
    const proxy = fakeProxy(clock, true);
    const fake = fakeBatch();
    const r = await clock.run(
      runExperiment(
        load(experimentText({ method: toxicMethod, rollback: '  strategy: on-deviation' })),
        {
          runBatch: fake.runBatch,
          clock,
          toxicClient: () => proxy.client,
        },
      ),
    );
    expect(r.status).toBe('failed');
    expect(r.journal.error).toBe(
      "toxic 'cut' could not be added to proxy 'api' at http://127.0.0.1:9999: HTTP 404: proxy not found",
    );
    expect(fake.state.batches.map((b) => b.phase)).toEqual(['steady-state-before']);
    expect(r.journal.rollback.ran).toBe(true);
    expect(r.journal.rollback.actions.map((a) => a.action)).toEqual([
      'clear-faults',
      'remove-toxics',
      'remove-toxics',
    ]);
  });

  test('a batch that throws fails the experiment with its message', async () => {
    const clock = new VirtualClock();
    const r = await clock.run(
      runExperiment(load(experimentText()), {
        runBatch: () => Promise.reject(new Error('system ecommerce is not installed')),
        clock,
      }),
    );
    expect(r.status).toBe('failed');
    expect(r.journal.error).toBe(
      'the steady-state-before batch failed: system ecommerce is not installed',
    );
    expect(r.result.runs).toBe(0);
  });

  test('registered probes and rollback actions; unmeasured built-in probes pass when runs were made', async () => {
    const seen: string[] = [];
    const r = await run(
      experimentText({
        probes: `    - probe: healthy
      tolerance: true
      args: { service: db }
    - probe: recovery-rate
      tolerance: '> 90%'`,
        rollback:
          '  actions:\n    - { action: repair, args: { how: restart } }\n    - { action: clear-faults }',
      }),
      {},
      {
        probes: {
          healthy: ({ phase, args, figures }) => {
            seen.push(`${phase} ${String(args.service)} ${String(figures.runs.total)}`);
            return true;
          },
        },
        rollbacks: { repair: ({ args }) => void seen.push(`repair ${String(args.how)}`) },
      },
    );
    expect(r.status).toBe('completed');
    expect(seen).toEqual([
      'steady-state-before db 10',
      'steady-state-after db 10',
      'repair restart',
    ]);
    expect(r.journal.steadyStateBefore?.probes[1]).toMatchObject({
      value: null,
      shown: 'not measured',
      ok: true,
    });
  });

  test('a registered probe that is missing or throws is not met', async () => {
    const r = await run(
      experimentText({ probes: '    - probe: healthy\n      tolerance: true' }),
      {},
      { probes: {} },
    );
    expect(r.status).toBe('skipped');
    expect(r.journal.steadyStateBefore?.probes[0]).toMatchObject({
      ok: false,
      shown: 'error',
      error: "probe 'healthy' is not registered",
    });
  });
});

describe('runExperiment: journal, observation, history', () => {
  test('the journal is written atomically, read back, and maps to a history record', async () => {
    const path = join(dir, 'journal.json');
    const r = await run(
      experimentText({
        extra:
          "observe:\n  metrics: [runs.successRate, failures.total]\n  logs: ['faultline:faults:*']",
      }),
      {},
      { journalPath: path, runId: 'experiment-uploads-test' },
    );
    const text = await readFile(path, 'utf8');
    const journal = parseExperimentJournal(text, path);
    expect(journal).toEqual(JSON.parse(JSON.stringify(r.journal)));
    expect(journal.id).toBe('experiment-uploads-test');
    expect(journal.method?.metrics).toEqual({ 'runs.successRate': 1, 'failures.total': 10 });
    expect(journal.method?.logs?.counts['faultline:faults:injected']).toBe(20);
    expect(journal.method?.logs?.entries[0]).toMatchObject({
      channel: 'faultline:faults:injected',
      source: '5-method-0',
      event: { fault: 'upload-down', kind: 'network', outcome: 'injected' },
    });
    const record = experimentHistoryRecord(journal, { startedAt: 10, finishedAt: 20 });
    expect(record).toMatchObject({
      id: 'experiment-uploads-test',
      kind: 'experiment',
      name: 'uploads',
      seed: '5',
      status: 'passed',
      startedAt: 10,
      finishedAt: 20,
      summary: {
        runs: 10,
        successRate: 1,
        failures: 10,
        recoveryRate: 1,
        hypothesisConfirmed: 1,
        injections: 20,
      },
    });
    expect(JSON.parse(record.journal)).toEqual(journal);

    await writeFile(join(dir, 'bad.json'), '{"format":"faultline.metrics/v1"}');
    await expect(readExperimentJournal(join(dir, 'bad.json'))).rejects.toSatisfy(
      (e: unknown) =>
        isExperimentJournalError(e) && /not an experiment journal/.test((e as Error).message),
    );
    expect(() => parseExperimentJournal('nope', 'x.json')).toThrow(/^x\.json: not JSON/);
  });

  test('bad options throw an InvalidOptionError naming the option', async () => {
    const experiment = load(experimentText());
    const runBatch = fakeBatch().runBatch;
    await expect(runExperiment(experiment, { runBatch, runs: 0 })).rejects.toSatisfy(
      (e: unknown) => isInvalidOptionError(e) && /runs/.test((e as Error).message),
    );
    await expect(runExperiment(experiment, { runBatch, faultKinds: ['bogus'] })).rejects.toThrow(
      /faultKinds\[0\]/,
    );
    await expect(runExperiment(experiment, { runBatch, failureRate: 2 })).rejects.toThrow(
      /failureRate/,
    );
    await expect(
      runExperiment(experiment, { runBatch: 'nope' as unknown as RunBatch }),
    ).rejects.toThrow(/runBatch/);
  });
});
