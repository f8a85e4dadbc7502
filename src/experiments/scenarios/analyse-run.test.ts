import { describe, expect, it } from 'vitest';
import type { AgentEvent, WorkflowRunResult } from '../../agents/index.ts';
import type { InjectionRecord } from '../../faults/index.ts';
import { analyseRun } from './analyse-run.ts';
import { expectationLines as line } from './expectation-lines.ts';
import { formatDuration } from './format-duration.ts';
import type { ObservedRun, PolicyEventRecord } from './types.ts';

type Draft = { type: string; agent: string; at: number; [field: string]: unknown };

function events(drafts: readonly Draft[]): AgentEvent[] {
  return drafts.map(
    ({ at, ...rest }) =>
      ({ runId: 'r', time: at, elapsedMs: at, ...rest }) as unknown as AgentEvent,
  );
}

function injection(
  time: number,
  target: InjectionRecord['target'],
  effect: InjectionRecord['effect'],
  outcome: InjectionRecord['outcome'] = 'injected',
): InjectionRecord {
  return {
    type: 'injection',
    seq: 1,
    time,
    seed: 's',
    fault: 'f',
    kind: 'crash',
    target,
    effect,
    outcome,
  };
}

function policy(
  type: PolicyEventRecord['type'],
  elapsedMs: number,
  value?: number,
): PolicyEventRecord {
  return { type, source: `${type}-policy`, elapsedMs, value, attempt: undefined };
}

function observed(
  drafts: readonly Draft[],
  injections: readonly InjectionRecord[],
  policyEvents: readonly PolicyEventRecord[] = [],
  extra: Partial<WorkflowRunResult> & Record<string, unknown> = {},
): ObservedRun {
  const list = events(drafts);
  const end = list.at(-1)?.elapsedMs ?? 0;
  const failed = list.some((e) => e.type === 'run-failed');
  const status: WorkflowRunResult['status'] = failed ? 'failed' : 'completed';
  const result: WorkflowRunResult = {
    runId: 'r',
    seed: 's',
    status,
    crashed: false,
    degraded: false,
    error: undefined,
    startedAt: 0,
    finishedAt: end,
    durationMs: end,
    events: list,
    journal: () => '',
    ...extra,
  };
  return { scenario: 'S', index: 0, runId: 'r', seed: 's', result, injections, policyEvents };
}

const crashAt = { type: 'crash-at', fraction: 0.5 } as const;
const fail = { type: 'fail' } as const;
const delay = { type: 'delay', ms: 5_000 } as const;
const injectedCrash = { name: 'AgentCrashError', message: 'boom', injected: true };

describe('analyseRun', () => {
  it('times a crash from when it surfaced, detects it, and measures the resume', () => {
    const run = analyseRun(
      observed(
        [
          { type: 'agent-started', agent: 'o/product', at: 0, messageId: 'm' },
          {
            type: 'checkpoint-saved',
            agent: 'o/product',
            at: 400,
            key: 'o/product',
            seq: 1,
            reason: 'progress',
            progress: 0.25,
          },
          {
            type: 'checkpoint-saved',
            agent: 'o/product',
            at: 900,
            key: 'o/product',
            seq: 2,
            reason: 'risky',
            progress: 0.5,
          },
          {
            type: 'supervisor-restart',
            agent: 'o/product',
            at: 1_000,
            restart: 1,
            reason: injectedCrash,
          },
          // An older checkpoint is restored (the newer one was lost): half of the progress.
          {
            type: 'checkpoint-restored',
            agent: 'o/product',
            at: 2_000,
            key: 'o/product',
            seq: 1,
            reason: 'progress',
            progress: 0.25,
            skippedCorrupt: 1,
            peer: false,
          },
          {
            type: 'side-effect',
            agent: 'o/product',
            at: 2_100,
            key: 'upload:1',
            outcome: 'executed',
          },
          {
            type: 'side-effect',
            agent: 'o/product',
            at: 2_200,
            key: 'upload:1',
            outcome: 'executed',
          },
          { type: 'agent-completed', agent: 'o/product', at: 3_000, durationMs: 3_000 },
          { type: 'run-completed', agent: 'o', at: 3_000, durationMs: 3_000 },
        ],
        [injection(0, { operation: 'agent:product', agent: 'product' }, crashAt)],
      ),
    );
    expect(run.incidents).toEqual([
      expect.objectContaining({
        agent: 'product',
        injectedAtMs: 0,
        atMs: 1_000,
        detectedAtMs: 1_000,
        detectionMs: 0,
        recoveredAtMs: 3_000,
        reconstructionAccuracy: 0.5,
        usedPeerContext: false,
        reactions: ['supervisor-restart'],
      }),
    ]);
    expect(run.restarts.get('product')).toBe(1);
    expect(run.duplicateSideEffects).toEqual(['upload:1']);
    expect(run.liveness).toEqual([{ agent: 'product', declaredDead: true, actuallyDead: true }]);
    expect(line.resumedFromCheckpoint().check(run)).toEqual({ actual: '50%', passed: false });
    expect(line.noStateCorruption().check(run)).toEqual({
      actual: 'yes: upload:1 executed twice',
      passed: false,
    });
  });

  it('detects from policy reactions within the agent’s window, and counts its retries', () => {
    const run = analyseRun(
      observed(
        [
          { type: 'agent-started', agent: 'o/product', at: 0, messageId: 'm' },
          {
            type: 'agent-failed',
            agent: 'o/product',
            at: 9_000,
            durationMs: 9_000,
            error: {
              name: 'ToolUnavailableError',
              message: "tool 'x' unavailable",
              injected: true,
            },
          },
          {
            type: 'run-failed',
            agent: 'o',
            at: 9_000,
            durationMs: 9_000,
            error: { name: 'E', message: 'e', injected: true },
          },
        ],
        [
          injection(1_000, { operation: 'tool:x', tool: 'x', agent: 'product' }, fail),
          injection(2_000, { operation: 'tool:x', tool: 'x', agent: 'product' }, fail),
          // Masked injections do not count.
          injection(2_000, { operation: 'tool:x', tool: 'x', agent: 'product' }, fail, 'masked'),
        ],
        [
          policy('retry', 500, 100),
          policy('timeout', 1_250, 250),
          policy('retry', 1_250, 700),
          policy('retry', 2_000, 1_500),
        ],
        {
          rootError: {
            name: 'ToolUnavailableError',
            message: "tool 'x' unavailable",
            injected: true,
          },
        },
      ),
    );
    expect(run.injections).toHaveLength(2);
    expect(run.incidents).toHaveLength(1);
    expect(run.incidents[0]).toMatchObject({
      atMs: 1_000,
      detectedAtMs: 1_250,
      detectionMs: 250,
      recoveredAtMs: undefined,
      injections: 2,
    });
    // The retry at 500 ms came before the failure: not part of the incident.
    expect(run.incidents[0]?.retries.map((r) => r.value)).toEqual([700, 1_500]);
    expect(run.error?.name).toBe('ToolUnavailableError');
    expect(line.retries(2, { backoff: true }).check(run)).toEqual({
      actual: '2 (waits 700 ms, 1.5 s)',
      passed: true,
    });
    expect(line.retries(3).check(run).passed).toBe(false);
    expect(line.detectionWithin(200).check(run)).toEqual({ actual: '250 ms', passed: false });
    expect(line.clearError(['unavailable', "'x'"]).check(run).passed).toBe(true);
    expect(line.clearError(['timeout']).check(run).passed).toBe(false);
    expect(line.outcome('failed').check(run)).toEqual({
      actual: 'failed: ToolUnavailableError',
      passed: true,
    });
  });

  it('finds no incident when nothing reacted (a slow agent waited for), and judges liveness', () => {
    const run = analyseRun(
      observed(
        [
          { type: 'agent-started', agent: 'o/marketing', at: 0, messageId: 'm' },
          { type: 'agent-completed', agent: 'o/marketing', at: 6_000, durationMs: 6_000 },
          { type: 'run-completed', agent: 'o', at: 6_000, durationMs: 6_000 },
        ],
        [injection(0, { operation: 'agent:marketing', agent: 'marketing' }, delay)],
      ),
    );
    expect(run.incidents).toEqual([]);
    expect(run.detectionMs).toBeUndefined();
    expect(run.liveness).toEqual([
      { agent: 'marketing', declaredDead: false, actuallyDead: false },
    ]);
    expect(line.noFalsePositives().check(run)).toEqual({ actual: 'no', passed: true });
    expect(line.detectionWithin(1_000).check(run)).toEqual({
      actual: 'no failure detected',
      passed: false,
    });
  });

  it('credits a hand-off rejection to the receiving agent and sees the peer context', () => {
    const run = analyseRun(
      observed(
        [
          { type: 'agent-completed', agent: 'o/product', at: 1_000, durationMs: 1_000 },
          {
            type: 'handoff-rejected',
            agent: 'o',
            at: 1_000,
            from: 'product',
            to: 'marketing',
            attempt: 1,
            issues: [],
          },
          {
            type: 'checkpoint-restored',
            agent: 'o/marketing',
            at: 1_100,
            key: 'o/product',
            seq: 3,
            reason: 'completed',
            progress: 1,
            skippedCorrupt: 0,
            peer: true,
          },
          { type: 'agent-started', agent: 'o/marketing', at: 1_100, messageId: 'm2' },
          { type: 'agent-completed', agent: 'o/marketing', at: 4_000, durationMs: 2_900 },
          { type: 'run-completed', agent: 'o', at: 4_000, durationMs: 4_000 },
        ],
        [
          injection(
            1_000,
            { operation: 'handoff:product->marketing', agent: 'marketing' },
            { type: 'transform', description: 'x' },
          ),
        ],
      ),
    );
    expect(run.incidents[0]).toMatchObject({
      agent: 'marketing',
      detectionMs: 0,
      recoveredAtMs: 4_000,
      usedPeerContext: true,
    });
    expect(run.handoffRejections).toBe(1);
    expect(line.peerContextUsed().check(run).passed).toBe(true);
    expect(line.agentOutcome('marketing', 'completed').check(run).passed).toBe(true);
    expect(line.agentOutcome('product', 'failed').check(run)).toEqual({
      actual: 'completed',
      passed: false,
    });
  });
});

describe('formatDuration', () => {
  it('writes durations for people', () => {
    expect(
      [0, 999, 1_000, 1_250, 59_940, 60_000, 121_447, 3_600_000, 3_780_000].map(formatDuration),
    ).toEqual([
      '0 ms',
      '999 ms',
      '1 s',
      '1.3 s',
      '59.9 s',
      '1 min',
      '2 min 1 s',
      '1 h',
      '1 h 3 min',
    ]);
  });
});
