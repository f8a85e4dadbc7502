import { describe, expect, it } from 'vitest';
import { createRandom, isInvalidOptionError, VirtualClock } from '../core/index.ts';
import { MemoryCheckpointStore } from './checkpoint/index.ts';
import { isParallelQuorumError, type ParallelQuorumError } from './errors/index.ts';
import { parallel, type ParallelPayload, type ParallelRequirement } from './parallel.ts';
import { runAgent } from './run-agent.ts';
import type { Agent } from './types.ts';

function branch(name: string, delayMs: number, outcome: 'ok' | 'fail', calls?: string[]): Agent {
  return {
    name,
    async process(message, context) {
      calls?.push(name);
      await context.clock.sleep(delayMs, context.signal);
      if (outcome === 'fail') throw new Error(`${name} down`);
      return context.message('quote', { from: name, price: delayMs });
    },
  };
}

const mixed = () => [
  branch('fast', 100, 'ok'),
  branch('broken', 50, 'fail'),
  branch('slow', 300, 'ok'),
];

async function run(require: ParallelRequirement, agents = mixed()) {
  const clock = new VirtualClock();
  const result = await clock.run(
    runAgent(
      parallel('quotes', agents, { require }),
      {},
      { runId: 'r', clock, random: createRandom(1) },
    ),
  );
  return { clock, result };
}

describe('parallel', () => {
  it('runs branches side by side and returns every branch result or error (partial results)', async () => {
    const { result } = await run('any');
    expect(result.status).toBe('completed');
    expect(result.durationMs).toBe(300);
    const payload = result.output?.payload as ParallelPayload;
    expect(payload.succeeded).toBe(2);
    expect(payload.failed).toBe(1);
    expect(payload.branches).toEqual([
      { agent: 'fast', status: 'fulfilled', payload: { from: 'fast', price: 100 } },
      {
        agent: 'broken',
        status: 'rejected',
        error: { name: 'Error', message: 'broken down', injected: false },
      },
      { agent: 'slow', status: 'fulfilled', payload: { from: 'slow', price: 300 } },
    ]);
    expect(result.events.find((e) => e.type === 'parallel-settled')).toMatchObject({
      succeeded: 2,
      failed: 1,
      required: 1,
      ok: true,
    });
  });

  it('meets a quorum of 2 of 3', async () => {
    expect((await run({ quorum: 2 })).result.status).toBe('completed');
  });

  it('fails when fewer branches than required succeed, carrying all results', async () => {
    for (const requirement of ['all', { quorum: 3 }] as const) {
      const { result } = await run(requirement);
      expect(result.status).toBe('failed');
      expect(isParallelQuorumError(result.error)).toBe(true);
      const error = result.error as ParallelQuorumError;
      expect([error.required, error.succeeded]).toEqual([3, 2]);
      expect(error.results.map((r) => `${r.agent}:${r.status}`)).toEqual([
        'fast:fulfilled',
        'broken:rejected',
        'slow:fulfilled',
      ]);
      expect(error.message).toBe(
        'quotes: 2 of 3 branches succeeded, 3 required (broken: broken down)',
      );
    }
  });

  it('re-runs only the failed branches when the run is resumed', async () => {
    const clock = new VirtualClock();
    const store = new MemoryCheckpointStore();
    const calls: string[] = [];
    let outcome: 'ok' | 'fail' = 'fail';
    const flaky: Agent = {
      name: 'flaky',
      process: (m, c) => branch('flaky', 10, outcome, calls).process(m, c),
    };
    const agent = parallel('quotes', [branch('steady', 10, 'ok', calls), flaky]);
    const options = { runId: 'r', clock, checkpoints: store };
    expect((await clock.run(runAgent(agent, {}, options))).status).toBe('failed');
    outcome = 'ok';
    expect((await clock.run(runAgent(agent, {}, options))).status).toBe('completed');
    expect(calls).toEqual(['steady', 'flaky', 'flaky']);
  });

  it('uses a custom merge', async () => {
    const clock = new VirtualClock();
    const cheapest = parallel('quotes', mixed(), {
      require: 'any',
      merge: (results) =>
        Math.min(
          ...results.flatMap((r) =>
            r.status === 'fulfilled' ? [(r.message.payload as { price: number }).price] : [],
          ),
        ),
    });
    const result = await clock.run(runAgent(cheapest, {}, { runId: 'r', clock }));
    expect(result.output?.payload).toBe(100);
    expect(result.output?.type).toBe('parallel.result');
  });

  it('rejects a quorum larger than the branches', () => {
    let error: unknown;
    try {
      parallel('q', mixed(), { require: { quorum: 4 } });
    } catch (e) {
      error = e;
    }
    expect(isInvalidOptionError(error)).toBe(true);
    expect((error as Error).message).toBe(
      "parallel: option 'require.quorum' must be at most the number of branches (3), got 4",
    );
    expect(() => parallel('q', mixed(), { require: 'most' as 'all' })).toThrow(
      "parallel: option 'require' must be 'all', 'any' or { quorum: n }, got \"most\"",
    );
  });
});
