import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { channelNames, VirtualClock } from '../core/index.ts';
import { MetricsRecorder, type MetricsSummary } from '../metrics/index.ts';
import type { ExperimentResultInput } from './experiment-result.ts';
import type { FailureModeInput } from './failure-mode-catalog.ts';
import {
  buildReliabilityReport,
  renderReliabilityReportHtml,
  renderReliabilityReportMarkdown,
  writeReliabilityReport,
  type ReliabilityReportInput,
} from './reliability-report.ts';
import { embeddedData, unbalancedTags } from '../../test/report-html.ts';

/**
 * A small campaign fed by hand on a virtual clock: 20 runs of two scenarios, 4 injected
 * failures (3 recovered), one crash, a breaker that tripped once and closed again, and
 * policy events from named policies.
 */
async function campaign(): Promise<MetricsSummary> {
  const clock = new VirtualClock();
  const recorder = new MetricsRecorder({ clock, name: 'demo', seed: 42 });
  const publish = (key: keyof typeof channelNames, source: string, event: unknown): void => {
    recorder.recordChannelMessage(channelNames[key], { source, event });
  };
  for (let i = 0; i < 20; i++) {
    const runId = `r${String(i)}`;
    const scenario = i < 10 ? 'ToolServerDown' : 'ModelTimeout';
    recorder.startRun({ runId, scenario, seed: `42-${String(i)}` });
    if (i % 5 === 0) {
      const id = recorder.recordFailure({
        runId,
        kind: i < 10 ? 'network' : 'latency',
        detectedAt: clock.now() + 500,
      });
      await clock.advance(i === 15 ? 0 : 2000 + i * 100);
      if (i !== 15) recorder.recordRecovery({ failureId: id });
    }
    await clock.advance(1000);
    const success = i !== 15 && i !== 7;
    recorder.recordRun({
      runId,
      success,
      crashed: i === 7,
      ...(success ? {} : { error: 'failed' }),
    });
    await clock.advance(100);
  }
  publish('retry', 'upload-retry', { attempt: 1, delayMs: 200, error: new Error('x') });
  publish('retry', 'upload-retry', { attempt: 2, delayMs: 400, error: new Error('x') });
  publish('retryGiveUp', 'upload-retry', {
    attempts: 3,
    reason: 'attempts',
    error: new Error('x'),
  });
  publish('timeout', 'llm-timeout', { timeoutMs: 30_000, strategy: 'cooperative' });
  publish('fallback', 'template-description', {
    reason: new Error('x'),
    index: 1,
    name: 'template',
  });
  publish('fallback', 'template-description', {
    reason: new Error('x'),
    index: 1,
    name: 'template',
  });
  publish('bulkheadRejected', 'marketing-bulkhead', { reason: 'full', executing: 2, queued: 4 });
  publish('circuitBreak', 'upload-breaker', {
    reason: 'consecutive-failures',
    retryAfterMs: 30_000,
    failureCount: 5,
  });
  publish('circuitStateChange', 'upload-breaker', { from: 'closed', to: 'open' });
  await clock.advance(30_000);
  publish('circuitStateChange', 'upload-breaker', { from: 'open', to: 'half-open' });
  publish('circuitStateChange', 'upload-breaker', { from: 'half-open', to: 'closed' });
  publish('circuitStateChange', 'llm-breaker', { from: 'closed', to: 'open' });
  recorder.recordHealing({ agent: 'product', outcome: 'healed', durationMs: 1200 });
  recorder.recordHealing({ agent: 'product', outcome: 'failed' });
  return recorder.summary();
}

const summary = await campaign();

const experiments: ExperimentResultInput[] = [
  {
    id: 'tool-server-down',
    title: 'Tool server down for 60 seconds',
    hypothesis:
      'When the upload-image tool server is down for 60 s, the product agent will fail gracefully.',
    seed: '7',
    runs: 10,
    status: 'completed',
    hypothesisConfirmed: true,
    scenario: 'ToolServerDown',
    faultKinds: ['network'],
    durationMs: 64_000,
    steadyState: [
      {
        name: 'success-rate',
        tolerance: '> 95%',
        before: { value: '100%', ok: true },
        after: { value: '100%', ok: true },
      },
    ],
    criteria: [
      { criterion: 'detects-failure', met: true, detail: 'detected in 500 ms (worst of 10 runs)' },
      { criterion: 'corrupts-no-data', met: true },
    ],
    expectations: [
      {
        label: 'Detection time',
        expected: '≤ 10 s',
        actual: '500 ms (worst of 10 runs)',
        passed: true,
      },
      { label: 'Retries', expected: '= 3', actual: '3 (worst of 10 runs)', passed: true },
    ],
    figures: summary.scenarios.ToolServerDown,
  },
  {
    id: 'model-timeout',
    title: 'Model takes over 60 seconds to answer',
    hypothesis:
      'When the model takes more than 60 s, the product agent will use the template description.',
    seed: '11',
    runs: 10,
    status: 'deviated',
    hypothesisConfirmed: false,
    faultKinds: ['latency'],
    steadyState: [
      {
        name: 'success-rate',
        tolerance: '> 95%',
        before: { value: '100%', ok: true },
        after: { value: '80%', ok: false },
      },
    ],
    criteria: [{ criterion: 'corrupts-no-data', met: false, detail: '1 half-written listing' }],
    expectations: [
      {
        label: 'Detection time',
        expected: '≤ 30 s',
        actual: '65 s (worst of 10 runs)',
        passed: false,
      },
      {
        label: 'Clear error message',
        expected: 'contains "timed out"',
        actual: 'no error reached the caller',
        passed: null,
      },
    ],
    figures: summary.scenarios.ModelTimeout,
  },
  {
    id: 'agent-loop',
    title: 'Agent stuck repeating the same action',
    hypothesis: 'When the marketing agent loops, the loop guard will stop it.',
    seed: '23',
    runs: 5,
    status: 'completed',
    hypothesisConfirmed: false,
    issues: [{ description: 'The loop guard let 14 repetitions through', fixed: true }],
  },
];

const failureModes: FailureModeInput[] = [
  {
    id: 'AF-001',
    category: 'ai',
    title: 'Model answers too slowly',
    description: 'The model takes more than 60 s.',
    likelihood: 4,
    impact: 3,
    detection: 'Timeout.',
    handling: 'Time out and use the template.',
    symptoms: [],
    matches: { experiments: ['model-timeout'], scenarios: [], faultKinds: [] },
  },
  {
    id: 'EF-001',
    category: 'external',
    title: 'Model provider rate limits',
    description: '429s at peak.',
    likelihood: 4,
    impact: 4,
    detection: 'HTTP 429.',
    symptoms: [],
    matches: { experiments: [], scenarios: [], faultKinds: [] },
  },
];

const input: ReliabilityReportInput = {
  system: 'ecommerce',
  metrics: summary,
  experiments,
  patterns: {
    breakers: [
      {
        name: 'upload-breaker',
        protects: 'the upload-image tool',
        threshold: '5 consecutive failures',
        resetTimeoutMs: 30_000,
        fallback: 'template-description',
      },
      {
        name: 'llm-breaker',
        protects: 'the language model',
        threshold: '50% failures over 10 s',
        resetTimeoutMs: 60_000,
      },
    ],
    bulkheads: [
      { name: 'marketing-bulkhead', protects: 'marketing agent', maxConcurrent: 2, maxQueue: 4 },
    ],
    fallbacks: [
      {
        name: 'template-description',
        for: 'product description (LLM)',
        serves: 'the template description',
      },
    ],
    retries: [
      {
        name: 'upload-retry',
        for: 'upload-image tool',
        maxAttempts: 4,
        backoff: 'exponential from 200 ms',
      },
    ],
    timeouts: [{ name: 'llm-timeout', for: 'model calls', ms: 30_000 }],
    selfHealing: {
      agents: ['product', 'marketing', 'orchestrator'],
      supervised: ['product', 'marketing'],
      threshold: 0.8,
      maxHealingAttempts: 3,
    },
  },
  comparison: {
    before: { id: 'campaign-1', seed: '41', runs: 20 },
    after: { id: 'campaign-2', seed: '42', runs: 20 },
    metrics: [
      { metric: 'crashes', before: 3, after: 1, delta: -2 },
      { metric: 'mttrP95Ms', before: 9000, after: 3500, delta: -5500 },
      { metric: 'newMetric', before: undefined, after: 4, delta: undefined },
      { metric: 'successRate', before: 0.8, after: 0.9, delta: 0.9 - 0.8 },
    ],
  },
  failureModes,
  risks: [
    {
      risk: 'No experiment covers disk-full on the catalog store',
      severity: 'low',
      mitigation: 'Add a disk fault experiment.',
    },
  ],
  checklist: [{ item: 'On-call rota knows the runbook', done: false }],
  generatedAt: '2026-11-25 20:00 UTC',
};

describe('renderReliabilityReportMarkdown', () => {
  test('the full report, exactly', () => {
    expect(renderReliabilityReportMarkdown(input)).toBe(
      [
        '# Reliability engineering report: ecommerce',
        '',
        'System `ecommerce` · seed `42` · n = 20 runs · generated 2026-11-25 20:00 UTC. Every figure states its sample size (n) and seed; replay with the seed to reproduce it.',
        '',
        '## Executive summary',
        '',
        '- **1 of 4 reliability targets met**; 1 of 3 experiments confirmed their hypothesis.',
        '- Success rate 90% against a > 95% target, 1 crash (n = 20 runs, seed 42).',
        '- Recovery rate 75% (n = 4 failures, seed 42); MTTR-A p95 3 s (n = 3 recoveries, seed 42).',
        '- 4 issues found, 1 fixed.',
        '- Top remaining risk (high): Success rate misses its target: 90%, target > 95% (n = 20 runs, seed 42).',
        '',
        '## Experiments',
        '',
        '| Experiment | Hypothesis | Status | Confirmed | Issues found | Fixed | n | Seed |',
        '| --- | --- | --- | :---: | ---: | ---: | ---: | --- |',
        '| Tool server down for 60 seconds | When the upload-image tool server is down for 60 s, the product agent will fail gracefully. | completed | ✓ yes | 0 | 0/0 | 10 | `7` |',
        '| Model takes over 60 seconds to answer | When the model takes more than 60 s, the product agent will use the template description. | deviated | ✗ no | 3 | 0/3 | 10 | `11` |',
        '| Agent stuck repeating the same action | When the marketing agent loops, the loop guard will stop it. | completed | ✗ no | 1 | 1/1 | 5 | `23` |',
        '',
        '### Tool server down for 60 seconds',
        '',
        '`tool-server-down` · status **completed** · hypothesis yes · n = 10 runs, seed 7 · 1.1 min.',
        '',
        'Hypothesis: When the upload-image tool server is down for 60 s, the product agent will fail gracefully.',
        '',
        '| Steady-state probe | Tolerance | Before | After |',
        '| --- | --- | --- | --- |',
        '| success-rate | > 95% | 100% ✓ | 100% ✓ |',
        '',
        '| Success criterion | Met | Evidence |',
        '| --- | :---: | --- |',
        '| Detects the failure | ✓ | detected in 500 ms (worst of 10 runs) |',
        '| Corrupts no data | ✓ | – |',
        '',
        '| Expected behaviour | Expected | Actual | Result |',
        '| --- | --- | --- | :---: |',
        '| Detection time | ≤ 10 s | 500 ms (worst of 10 runs) | pass ✓ |',
        '| Retries | = 3 | 3 (worst of 10 runs) | pass ✓ |',
        '',
        '### Model takes over 60 seconds to answer',
        '',
        '`model-timeout` · status **deviated** · hypothesis no · n = 10 runs, seed 11.',
        '',
        'Hypothesis: When the model takes more than 60 s, the product agent will use the template description.',
        '',
        '| Steady-state probe | Tolerance | Before | After |',
        '| --- | --- | --- | --- |',
        '| success-rate | > 95% | 100% ✓ | 80% ✗ |',
        '',
        '| Success criterion | Met | Evidence |',
        '| --- | :---: | --- |',
        '| Corrupts no data | ✗ | 1 half-written listing |',
        '',
        '| Expected behaviour | Expected | Actual | Result |',
        '| --- | --- | --- | :---: |',
        '| Detection time | ≤ 30 s | 65 s (worst of 10 runs) | fail ✗ |',
        '| Clear error message | contains "timed out" | no error reached the caller | – |',
        '',
        '- Steady state after the method: success-rate 80%, expected > 95%',
        '- Not met: corrupts no data (1 half-written listing)',
        '- Detection time: expected ≤ 30 s, got 65 s (worst of 10 runs)',
        '',
        '### Agent stuck repeating the same action',
        '',
        '`agent-loop` · status **completed** · hypothesis no · n = 5 runs, seed 23.',
        '',
        'Hypothesis: When the marketing agent loops, the loop guard will stop it.',
        '',
        '- [fixed] The loop guard let 14 repetitions through',
        '',
        '## Reliability patterns in place',
        '',
        '### Circuit breakers',
        '',
        '| Breaker | Protects | Opens when | Reset timeout | State | Trips | Time open | Basis |',
        '| --- | --- | --- | ---: | --- | ---: | ---: | --- |',
        '| `upload-breaker` | the upload-image tool | 5 consecutive failures | 30 s | closed | 1 | 30 s | n = 20 runs, seed 42 |',
        '| `llm-breaker` | the language model | 50% failures over 10 s | 1 min | open | 0 | 0 ms | n = 20 runs, seed 42 |',
        '',
        '### Self-healing',
        '',
        '| Measure | Value | Basis |',
        '| --- | --- | --- |',
        '| Coverage | 66.7% (2 of 3 agents; not supervised: orchestrator) | configuration |',
        '| Heals below | 80% success rate; escalates after 3 failed healings | configuration |',
        '| Healing success rate | 50% | n = 2 healing attempts, seed 42 |',
        '| Healed automatically | 1 | n = 20 runs, seed 42 |',
        '| Mean healing time | 1.2 s | n = 1 healing, seed 42 |',
        '| Escalations | 0 | n = 20 runs, seed 42 |',
        '',
        '### Bulkheads',
        '',
        '| Bulkhead | Isolates | Max concurrent | Queue | Rejections | Basis |',
        '| --- | --- | ---: | ---: | ---: | --- |',
        '| `marketing-bulkhead` | marketing agent | 2 | 4 | 1 | n = 20 runs, seed 42 |',
        '',
        '### Retries',
        '',
        '| Retry | For | Max attempts | Backoff | Retries made | Gave up | Basis |',
        '| --- | --- | ---: | --- | ---: | ---: | --- |',
        '| `upload-retry` | upload-image tool | 4 | exponential from 200 ms | 2 | 1 | n = 20 runs, seed 42 |',
        '',
        '### Timeouts',
        '',
        '| Timeout | For | Limit | Expired | Basis |',
        '| --- | --- | ---: | ---: | --- |',
        '| `llm-timeout` | model calls | 30 s | 1 | n = 20 runs, seed 42 |',
        '',
        '### Fallbacks',
        '',
        '| Fallback | For | Serves | Times used | Basis |',
        '| --- | --- | --- | ---: | --- |',
        '| `template-description` | product description (LLM) | the template description | 2 | n = 20 runs, seed 42 |',
        '',
        '## Metrics against targets',
        '',
        '| Metric | Value | Target | Met | Basis |',
        '| --- | --- | --- | :---: | --- |',
        '| Success rate | 90% | > 95% | ✗ | n = 20 runs, seed 42 |',
        '| MTBF | 4.8 s | > 24 h | ✗ | n = 4 failures, seed 42, over 19 s of uptime |',
        '| MTTR-A (mean) | 2.5 s (p95 3 s) | < 5 min | ✓ | n = 3 recoveries, seed 42 |',
        '| Error rate | 10% | < 5% | ✗ | n = 20 runs, seed 42 |',
        '',
        '## Before / after',
        '',
        'Before: `campaign-1` (seed 41, n = 20 runs). After: `campaign-2` (seed 42, n = 20 runs).',
        '',
        '| Metric | Before | After | Change | Verdict |',
        '| --- | ---: | ---: | ---: | --- |',
        '| crashes | 3 | 1 | −2 | better ✓ |',
        '| mttrP95Ms | 9 s | 3.5 s | −5.5 s | better ✓ |',
        '| newMetric | – | 4 | – | – |',
        '| successRate | 80% | 90% | +10 pp | better ✓ |',
        '',
        '## Hardening checklist',
        '',
        '- [ ] Every experiment confirmed its hypothesis (1 of 3)',
        '- [ ] No run crashed (1 crash; n = 20 runs, seed 42)',
        '- [ ] Success rate > 95%: 90% (n = 20 runs, seed 42)',
        '- [ ] MTBF > 24 h: 4.8 s (n = 4 failures, seed 42, over 19 s of uptime)',
        '- [x] MTTR-A (mean) < 5 min: 2.5 s (p95 3 s) (n = 3 recoveries, seed 42)',
        '- [ ] Error rate < 5%: 10% (n = 20 runs, seed 42)',
        '- [ ] Error budget not exhausted (SLO 99% success: 1000% of its budget spent; n = 20 runs, seed 42)',
        '- [ ] No data corrupted in any experiment (1 of 2 checked)',
        '- [x] Circuit breakers guard dependencies: `upload-breaker`, `llm-breaker`',
        '- [ ] No circuit breaker left open at the end: `llm-breaker` is open',
        '- [x] Retries are bounded, with backoff: `upload-retry`',
        '- [x] Timeouts on model and tool calls: `llm-timeout`',
        '- [x] Bulkheads isolate agents: `marketing-bulkhead`',
        '- [x] Fallbacks keep a degraded service: `template-description`',
        '- [ ] Self-healing covers every agent (2 of 3)',
        '- [ ] On-call rota knows the runbook',
        '',
        '## Remaining risks',
        '',
        '| Risk | Severity | Source | Mitigation |',
        '| --- | --- | --- | --- |',
        '| Success rate misses its target: 90%, target > 95% (n = 20 runs, seed 42) | high | target | Find the failures behind it in the experiments above and harden those paths first. |',
        '| Error rate misses its target: 10%, target < 5% (n = 20 runs, seed 42) | high | target | Find the failures behind it in the experiments above and harden those paths first. |',
        '| Model takes over 60 seconds to answer: Steady state after the method: success-rate 80%, expected > 95%; Not met: corrupts no data (1 half-written listing); Detection time: expected ≤ 30 s, got 65 s (worst of 10 runs) (n = 10 runs, seed 11) | high | experiment model-timeout | Fix, then rerun `model-timeout` with seed 11 to confirm. |',
        '| AF-001 Model answers too slowly (priority 12) is not handled | high | failure mode AF-001 | Time out and use the template. |',
        '| MTBF misses its target: 4.8 s, target > 24 h (n = 4 failures, seed 42, over 19 s of uptime) | medium | target | Find the failures behind it in the experiments above and harden those paths first. |',
        '| Circuit breaker `llm-breaker` is open at the end of the campaign: the language model is still failing | medium | breaker llm-breaker | See the runbook entry for `llm-breaker`. |',
        '| EF-001 Model provider rate limits (priority 16) is untested | medium | failure mode EF-001 | Write an experiment for it. |',
        '| No experiment covers disk-full on the catalog store | low | reported | Add a disk fault experiment. |',
        '',
        '## Runbook',
        '',
        'Generated from the configured circuit breakers, fallbacks and supervisor. Measured figures are from this campaign.',
        '',
        '### Circuit breaker `upload-breaker` opened',
        '',
        '- **Protects:** the upload-image tool. **Opens when:** 5 consecutive failures. **Reset timeout:** 30 s.',
        '- **What callers see:** calls fail fast with `CircuitOpenError` (its `retryAfterMs` says when to try again); fallback `template-description` serves the template description instead.',
        '- **Measured:** 1 trip, open for 30 s in total, closed at the end (n = 20 runs, seed 42).',
        '',
        '1. Check the upload-image tool: its errors and latency, and whether it is down or overloaded.',
        '2. Wait for the reset timeout (30 s): the breaker half-opens and lets a probe call through, and closes when the probe succeeds.',
        '3. If it keeps re-opening, take load off the upload-image tool or fail over; do not force the breaker closed while the upload-image tool still fails.',
        '4. When the upload-image tool is healthy again, confirm `upload-breaker` is closed (`faultline dashboard` shows breaker states).',
        '',
        '### Circuit breaker `llm-breaker` opened',
        '',
        '- **Protects:** the language model. **Opens when:** 50% failures over 10 s. **Reset timeout:** 1 min.',
        '- **What callers see:** calls fail fast with `CircuitOpenError` (its `retryAfterMs` says when to try again).',
        '- **Measured:** 0 trips, open for 0 ms in total, open at the end (n = 20 runs, seed 42).',
        '',
        '1. Check the language model: its errors and latency, and whether it is down or overloaded.',
        '2. Wait for the reset timeout (1 min): the breaker half-opens and lets a probe call through, and closes when the probe succeeds.',
        '3. If it keeps re-opening, take load off the language model or fail over; do not force the breaker closed while the language model still fails.',
        '4. When the language model is healthy again, confirm `llm-breaker` is closed (`faultline dashboard` shows breaker states).',
        '',
        '### Fallback `template-description` serving',
        '',
        '- **Stands in for:** product description (LLM). **Serves:** the template description. Also serves while `upload-breaker` is open.',
        '- **Measured:** used 2 times (n = 20 runs, seed 42).',
        '',
        '1. Expect degraded output while it serves (the template description); tell the owners if it lasts.',
        '2. Find why product description (LLM) fails: its breaker, timeouts and errors.',
        '3. Once product description (LLM) works again, check that new results no longer come from the fallback.',
        '',
        '### Supervisor escalated',
        '',
        '- **Watches:** product, marketing. **Heals below:** 80% success rate. **Escalates after:** 3 failed healings.',
        '- **Measured:** 0 escalations, healing success rate 50% (n = 2 healing attempts, seed 42).',
        '',
        '1. Read the escalation event: it names the agent and the recovery actions that failed.',
        "2. Check the agent's dependencies (its breakers above) before restarting it by hand.",
        '3. Restart the agent from its last checkpoint; idempotency keys keep side effects from being repeated.',
        '',
      ].join('\n'),
    );
  });

  test('a bare campaign: every section says what is missing', () => {
    expect(
      renderReliabilityReportMarkdown({ system: 'tiny', metrics: summary, experiments: [] }),
    ).toBe(
      [
        '# Reliability engineering report: tiny',
        '',
        'System `tiny` · seed `42` · n = 20 runs. Every figure states its sample size (n) and seed; replay with the seed to reproduce it.',
        '',
        '## Executive summary',
        '',
        '- **1 of 4 reliability targets met**; 0 of 0 experiments confirmed their hypothesis.',
        '- Success rate 90% against a > 95% target, 1 crash (n = 20 runs, seed 42).',
        '- Recovery rate 75% (n = 4 failures, seed 42); MTTR-A p95 3 s (n = 3 recoveries, seed 42).',
        '- 0 issues found, 0 fixed.',
        '- Top remaining risk (high): Success rate misses its target: 90%, target > 95% (n = 20 runs, seed 42).',
        '',
        '## Experiments',
        '',
        'No experiment results were given.',
        '',
        '## Reliability patterns in place',
        '',
        '### Circuit breakers',
        '',
        'None configured.',
        '',
        '### Self-healing',
        '',
        'No supervisor configured.',
        '',
        '### Bulkheads',
        '',
        'None configured.',
        '',
        '## Metrics against targets',
        '',
        '| Metric | Value | Target | Met | Basis |',
        '| --- | --- | --- | :---: | --- |',
        '| Success rate | 90% | > 95% | ✗ | n = 20 runs, seed 42 |',
        '| MTBF | 4.8 s | > 24 h | ✗ | n = 4 failures, seed 42, over 19 s of uptime |',
        '| MTTR-A (mean) | 2.5 s (p95 3 s) | < 5 min | ✓ | n = 3 recoveries, seed 42 |',
        '| Error rate | 10% | < 5% | ✗ | n = 20 runs, seed 42 |',
        '',
        '## Before / after',
        '',
        'No earlier run to compare with (see `faultline history`).',
        '',
        '## Hardening checklist',
        '',
        '- [ ] Every experiment confirmed its hypothesis (0 of 0)',
        '- [ ] No run crashed (1 crash; n = 20 runs, seed 42)',
        '- [ ] Success rate > 95%: 90% (n = 20 runs, seed 42)',
        '- [ ] MTBF > 24 h: 4.8 s (n = 4 failures, seed 42, over 19 s of uptime)',
        '- [x] MTTR-A (mean) < 5 min: 2.5 s (p95 3 s) (n = 3 recoveries, seed 42)',
        '- [ ] Error rate < 5%: 10% (n = 20 runs, seed 42)',
        '- [ ] Error budget not exhausted (SLO 99% success: 1000% of its budget spent; n = 20 runs, seed 42)',
        '- [ ] No data corrupted in any experiment (0 of 0 checked)',
        '- [ ] Circuit breakers guard dependencies: none configured',
        '- [x] No circuit breaker left open at the end',
        '- [ ] Retries are bounded, with backoff: none configured',
        '- [ ] Timeouts on model and tool calls: none configured',
        '- [ ] Bulkheads isolate agents: none configured',
        '- [ ] Fallbacks keep a degraded service: none configured',
        '- [ ] Self-healing covers every agent: no supervisor configured',
        '',
        '## Remaining risks',
        '',
        '| Risk | Severity | Source | Mitigation |',
        '| --- | --- | --- | --- |',
        '| Success rate misses its target: 90%, target > 95% (n = 20 runs, seed 42) | high | target | Find the failures behind it in the experiments above and harden those paths first. |',
        '| Error rate misses its target: 10%, target < 5% (n = 20 runs, seed 42) | high | target | Find the failures behind it in the experiments above and harden those paths first. |',
        '| MTBF misses its target: 4.8 s, target > 24 h (n = 4 failures, seed 42, over 19 s of uptime) | medium | target | Find the failures behind it in the experiments above and harden those paths first. |',
        '',
        '## Runbook',
        '',
        'No circuit breakers, fallbacks or supervisor are configured, so there is nothing to operate yet: add them (see the checklist).',
        '',
      ].join('\n'),
    );
  });

  test('targets can be changed, and a metric without data is neither met nor missed', () => {
    const report = buildReliabilityReport(
      { system: 'x', seed: '9', metrics: summary, experiments: [] },
      { targets: { successRate: 0.85, mttrMs: 2000, mtbfMs: 1000, errorRate: 0.2 } },
    );
    expect(report.targets.map((t) => [t.metric, t.target, t.met, t.basis])).toEqual([
      ['Success rate', '> 85%', true, 'n = 20 runs, seed 9'],
      ['MTBF', '> 1 s', true, 'n = 4 failures, seed 9, over 19 s of uptime'],
      ['MTTR-A (mean)', '< 2 s', false, 'n = 3 recoveries, seed 9'],
      ['Error rate', '< 20%', true, 'n = 20 runs, seed 9'],
    ]);
    const empty = new MetricsRecorder({ clock: new VirtualClock(), seed: 1 }).summary();
    const bare = buildReliabilityReport({ system: 'x', metrics: empty, experiments: [] });
    expect(bare.seed).toBe('1');
    expect(bare.targets.map((t) => [t.metric, t.shown, t.met])).toEqual([
      ['Success rate', '–', null],
      ['MTBF', 'no failures in 0 ms', null],
      ['MTTR-A (mean)', '–', null],
      ['Error rate', '–', null],
    ]);
  });

  test('the JSON form counts issues and fixes, and orders risks by severity', () => {
    const report = buildReliabilityReport(input);
    expect(report.experiments).toEqual([
      {
        id: 'tool-server-down',
        title: 'Tool server down for 60 seconds',
        confirmed: true,
        issues: 0,
        fixed: 0,
      },
      {
        id: 'model-timeout',
        title: 'Model takes over 60 seconds to answer',
        confirmed: false,
        issues: 3,
        fixed: 0,
      },
      {
        id: 'agent-loop',
        title: 'Agent stuck repeating the same action',
        confirmed: false,
        issues: 1,
        fixed: 1,
      },
    ]);
    expect(report.risks.map((r) => [r.severity, r.source])).toEqual([
      ['high', 'target'],
      ['high', 'target'],
      ['high', 'experiment model-timeout'],
      ['high', 'failure mode AF-001'],
      ['medium', 'target'],
      ['medium', 'breaker llm-breaker'],
      ['medium', 'failure mode EF-001'],
      ['low', 'reported'],
    ]);
    expect(report.checklist.map((i) => i.done)).toEqual([
      false, // every experiment confirmed
      false, // a run crashed
      false, // success rate
      false, // MTBF
      true, // MTTR
      false, // error rate
      false, // error budget
      false, // data corrupted in model-timeout
      true, // breakers
      false, // llm-breaker left open
      true, // retries
      true, // timeouts
      true, // bulkheads
      true, // fallbacks
      false, // the orchestrator is not supervised
      false, // the item the input added
    ]);
  });

  test('bad options are refused at once, naming the option', () => {
    expect(() => renderReliabilityReportMarkdown(input, { targets: { successRate: 1.5 } })).toThrow(
      "reliability report: option 'targets.successRate' must be a number between 0 and 1, got 1.5",
    );
    expect(() => renderReliabilityReportMarkdown(input, { highPriority: 0 })).toThrow(
      "reliability report: option 'highPriority' must be an integer >= 1, got 0",
    );
  });
});

describe('renderReliabilityReportHtml', () => {
  const html = renderReliabilityReportHtml(input);

  test('is one well-formed page that loads nothing from elsewhere', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(unbalancedTags(html)).toEqual([]);
    expect(html).not.toMatch(/\s(?:src|href|srcset|action|xlink:href)\s*=/i);
    expect(html).not.toMatch(/<link|<iframe|<img|@import|url\(/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html.match(/<script/g)).toHaveLength(1);
  });

  test('draws every chart as inline SVG and embeds its data', () => {
    const data = embeddedData(html) as {
      report: { seed: string; runs: number };
      charts: {
        id: string;
        labels: string[];
        series: { name: string; values: (number | null)[] }[];
        note: string;
      }[];
    };
    expect(data.report).toMatchObject({ seed: '42', runs: 20 });
    expect(data.charts.map((c) => [c.id, c.labels, c.series.map((s) => s.values), c.note])).toEqual(
      [
        [
          'success-by-scenario',
          ['ModelTimeout', 'ToolServerDown'],
          [[0.9, 0.9]],
          'ModelTimeout: n = 10, ToolServerDown: n = 10; seed 42',
        ],
        [
          'success-by-experiment',
          ['tool-server-down', 'model-timeout'],
          [[0.9, 0.9]],
          'tool-server-down: n = 10, seed 7; model-timeout: n = 10, seed 11',
        ],
        [
          'mttr-percentiles',
          ['p50', 'p90', 'p95', 'p99', 'max'],
          [[2500, 3000, 3000, 3000, 3000]],
          'n = 3 recoveries, seed 42 (exact percentiles); target < 5 min',
        ],
        ['breaker-trips', ['upload-breaker', 'llm-breaker'], [[1, 0]], 'n = 20 runs, seed 42'],
        [
          'before-after',
          ['successRate'],
          [[0.8], [0.9]],
          'before: seed 41, n = 20; after: seed 42, n = 20',
        ],
      ],
    );
    for (const chart of data.charts) {
      expect(html).toContain(`<figure id="${chart.id}"><svg class="chart" role="img"`);
    }
    expect(html).toContain('<title id="breaker-trips-title">Circuit breaker trips</title>');
    expect(html).toContain('<figcaption>n = 20 runs, seed 42</figcaption>');
  });

  test('escapes what it prints, in text and in the embedded data', () => {
    const page = renderReliabilityReportHtml({
      system: '<script>alert(1)</script>',
      metrics: summary,
      experiments: [
        { ...(experiments[0] as ExperimentResultInput), title: 'a </script><b>', id: 'x' },
      ],
    });
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.match(/<\/script>/g)).toHaveLength(1);
    expect(unbalancedTags(page)).toEqual([]);
  });
});

describe('writeReliabilityReport', () => {
  test('writes Markdown, HTML or JSON atomically, by extension or by option', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-reliability-'));
    try {
      await writeReliabilityReport(join(dir, 'report.md'), input);
      await writeReliabilityReport(join(dir, 'report.html'), input);
      await writeReliabilityReport(join(dir, 'report.json'), input);
      await writeReliabilityReport(join(dir, 'nested', 'report.txt'), input, { format: 'html' });
      expect(await readFile(join(dir, 'report.md'), 'utf8')).toBe(
        renderReliabilityReportMarkdown(input),
      );
      expect(await readFile(join(dir, 'report.html'), 'utf8')).toBe(
        renderReliabilityReportHtml(input),
      );
      expect(JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'))).toEqual(
        JSON.parse(JSON.stringify(buildReliabilityReport(input))),
      );
      expect(await readFile(join(dir, 'nested', 'report.txt'), 'utf8')).toBe(
        renderReliabilityReportHtml(input),
      );
      expect((await readdir(dir)).sort()).toEqual([
        'nested',
        'report.html',
        'report.json',
        'report.md',
      ]);
      await expect(
        writeReliabilityReport(join(dir, 'x.md'), input, { format: 'pdf' as 'html' }),
      ).rejects.toThrow(
        "reliability report: option 'format' must be one of 'markdown', 'html', 'json', got \"pdf\"",
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
