import { describe, expect, it } from 'vitest';
import { createRandom, isTimeoutError, VirtualClock } from '../core/index.ts';
import { bulkhead, retry, timeout } from '../policies/index.ts';
import { parallel } from './parallel.ts';
import { runAgent } from './run-agent.ts';
import type { Agent } from './types.ts';
import { withPolicies } from './with-policies.ts';

describe('withPolicies', () => {
  it('retries an agent, which resumes from its own checkpoint (no step done twice)', async () => {
    const clock = new VirtualClock();
    const steps: string[] = [];
    let attempts = 0;
    const worker: Agent = {
      name: 'worker',
      async process(message, context) {
        attempts++;
        const saved = await context.checkpoint.load<{ done: number }>();
        let done = saved?.state.done ?? 0;
        for (; done < 3; done++) {
          if (attempts === 1 && done === 2) throw new Error('lost connection');
          steps.push(`step${done}@attempt${context.attempt}`);
          await context.checkpoint.save({ done: done + 1 });
        }
        return context.message('done', { steps: done });
      },
    };
    const resilient = withPolicies(
      worker,
      retry({ maxAttempts: 3, clock, random: createRandom(1) }),
    );
    const result = await clock.run(runAgent(resilient, {}, { runId: 'r', clock }));
    expect(result.status).toBe('completed');
    expect(attempts).toBe(2);
    expect(steps).toEqual(['step0@attempt1', 'step1@attempt1', 'step2@attempt2']);
    expect(result.events.find((e) => e.type === 'checkpoint-restored')).toMatchObject({
      agent: 'worker',
      seq: 2,
      peer: false,
    });
  });

  it('times an agent out on the run clock and aborts its signal', async () => {
    const clock = new VirtualClock();
    let aborted = false;
    const stuck: Agent = {
      name: 'stuck',
      async process(_message, context) {
        context.signal.addEventListener('abort', () => (aborted = true));
        await context.clock.sleep(60_000, context.signal);
        return context.message('late', {});
      },
    };
    const result = await clock.run(
      runAgent(withPolicies(stuck, timeout({ ms: 5_000, clock })), {}, { runId: 'r', clock }),
    );
    expect(isTimeoutError(result.error)).toBe(true);
    expect(result.durationMs).toBe(5_000);
    expect(aborted).toBe(true);
  });

  it('gives each agent its own bulkhead, so a flooded agent does not starve another', async () => {
    const clock = new VirtualClock();
    const slowCalls: number[] = [];
    const slow: Agent = {
      name: 'slow',
      async process(_m, context) {
        slowCalls.push(context.clock.now());
        await context.clock.sleep(1_000, context.signal);
        return context.message('slow', {});
      },
    };
    const fast: Agent = {
      name: 'fast',
      async process(_m, context) {
        await context.clock.sleep(10, context.signal);
        return context.message('fast', {});
      },
    };
    const slowPool = bulkhead({ maxConcurrent: 1, maxQueued: 0, clock });
    const agent = () =>
      parallel(
        'work',
        [withPolicies(slow, slowPool), withPolicies(fast, bulkhead({ maxConcurrent: 1, clock }))],
        {
          require: 'any',
        },
      );
    const results = await clock.run(
      Promise.all([1, 2, 3].map((i) => runAgent(agent(), {}, { runId: `r${i}`, clock }))),
    );
    const branches = results.map(
      (r) =>
        (r.output?.payload as unknown as { branches: { agent: string; status: string }[] })
          .branches,
    );
    expect(results.every((r) => r.status === 'completed')).toBe(true);
    expect(branches.map((b) => b.map((x) => `${x.agent}:${x.status}`).join(','))).toEqual([
      'slow:fulfilled,fast:fulfilled',
      'slow:rejected,fast:fulfilled',
      'slow:rejected,fast:fulfilled',
    ]);
    expect(slowCalls).toEqual([0]);
    const rejected = results[1]!.events.find(
      (e) => e.type === 'agent-failed' && e.agent === 'work/slow',
    );
    expect(rejected).toMatchObject({ error: { code: 'FL_BULKHEAD_REJECTED' } });
  });

  it('rejects a call without policies', () => {
    const a: Agent = { name: 'a', process: async (_m, c) => c.message('x', {}) };
    expect(() => withPolicies(a)).toThrow(
      "withPolicies: option 'policies' must be at least one Policy, got an array",
    );
  });
});

describe('withPolicies options', () => {
  it('rejects a missing agent', () => {
    expect(() => withPolicies(null as unknown as Agent, retry())).toThrow(
      "withPolicies: option 'agent' must be an Agent ({ name, process }), got null",
    );
  });
});
