import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import {
  channelNames,
  createRandom,
  isInvalidOptionError,
  VirtualClock,
  type ChannelMessage,
} from '../core/index.ts';
import { onAgentEvent, type AgentEvent } from './agent-events.ts';
import { MemoryCheckpointStore } from './checkpoint/index.ts';
import { runAgent } from './run-agent.ts';
import { sequential } from './sequential.ts';
import type { Agent, AgentContext } from './types.ts';

/** A long task: 10 chunks of 2 minutes, reporting progress with its state. */
const longTask: Agent = {
  name: 'indexer',
  async process(message, context) {
    const saved = await context.checkpoint.load<{ chunk: number }>();
    for (let chunk = saved?.state.chunk ?? 0; chunk < 10; chunk++) {
      await context.clock.sleep(120_000, context.signal);
      await context.progress((chunk + 1) / 10, { chunk: chunk + 1 });
    }
    return context.message('indexed', { chunks: 10 });
  },
};

describe('runAgent', () => {
  it('checkpoints every N minutes of virtual time in a long task', async () => {
    const clock = new VirtualClock();
    const store = new MemoryCheckpointStore({ keep: 20 });
    const result = await clock.run(
      runAgent(
        longTask,
        {},
        { runId: 'r', clock, checkpoints: store, checkpointIntervalMs: 300_000 },
      ),
    );
    expect(result.durationMs).toBe(1_200_000);
    const saves = result.events.filter((e) => e.type === 'checkpoint-saved');
    expect(saves.map((e) => [e.reason, e.elapsedMs, e.progress])).toEqual([
      ['interval', 360_000, 0.3],
      ['interval', 720_000, 0.6],
      ['interval', 1_080_000, 0.9],
      ['completed', 1_200_000, 1],
    ]);
    const latest = await store.load('r', 'indexer');
    expect(latest.checkpoint).toMatchObject({ reason: 'completed', seq: 4 });
  });

  it('resumes a long task from its last valid checkpoint, skipping a corrupt one', async () => {
    const clock = new VirtualClock();
    const store = new MemoryCheckpointStore();
    const controller = new AbortController();
    clock.setTimer(1_000_000, () => {
      controller.abort(new Error('machine restarted'));
    });
    const options = { runId: 'r', clock, checkpoints: store, checkpointIntervalMs: 300_000 };
    const first = await clock.run(
      runAgent(longTask, {}, { ...options, signal: controller.signal }),
    );
    expect(first.status).toBe('failed');
    expect(first.errorSummary?.message).toBe('machine restarted');
    expect((await store.list('r', 'indexer')).map((e) => e.seq)).toEqual([1, 2]);
    store.tamper({ runId: 'r', key: 'indexer', seq: 2 }, (t) =>
      t.replace('"chunk":6', '"chunk":9'),
    );
    const start = clock.now();
    const second = await clock.run(runAgent(longTask, {}, options));
    expect(second.status).toBe('completed');
    // Resumed from chunk 3 (seq 1), so 7 chunks of 2 minutes were redone, not 10 (nor 1).
    expect(clock.now() - start).toBe(7 * 120_000);
    const kinds = second.events.filter((e) => e.type.startsWith('checkpoint-'));
    expect(kinds[0]).toMatchObject({ type: 'checkpoint-corrupt', key: 'indexer', seq: 2 });
    expect((kinds[0] as Extract<AgentEvent, { type: 'checkpoint-corrupt' }>).detail).toMatch(
      /^checksum mismatch/,
    );
    expect(kinds[1]).toMatchObject({
      type: 'checkpoint-restored',
      seq: 1,
      skippedCorrupt: 1,
      progress: 0.3,
      peer: false,
    });
  });

  it('saves a checkpoint before a risky operation', async () => {
    const clock = new VirtualClock();
    const risky: Agent = {
      name: 'deployer',
      async process(_m, context) {
        const result = await context.checkpoint.beforeRisky('migrate-db', { stage: 'pre' }, () =>
          Promise.resolve('migrated'),
        );
        return context.message('deployed', { result });
      },
    };
    const store = new MemoryCheckpointStore();
    const result = await clock.run(runAgent(risky, {}, { runId: 'r', clock, checkpoints: store }));
    expect(result.events.filter((e) => e.type === 'checkpoint-saved').map((e) => e.reason)).toEqual(
      ['risky', 'completed'],
    );
    const { checkpoint } = await store.load('r', 'deployer');
    expect(checkpoint?.reason).toBe('completed');
  });

  it('is deterministic: same seed, same output and journal; runs share one clock independently', async () => {
    const chatty: Agent = {
      name: 'chatty',
      async process(_m, context) {
        const waits = [context.random.int(1, 1000), context.random.int(1, 1000)];
        for (const ms of waits) await context.clock.sleep(ms, context.signal);
        context.report('waited', { waits });
        return context.message('done', { waits });
      },
    };
    const pipeline = () => sequential('p', [chatty, { ...chatty, name: 'again' }]);
    const clock = new VirtualClock();
    const runs = await clock.run(
      Promise.all(
        ['a', 'b', 'a'].map((seed, i) =>
          runAgent(
            pipeline(),
            {},
            { runId: `run-${seed}`, clock, random: createRandom(seed) },
          ).then((r) => ({ r, i })),
        ),
      ),
    );
    const [a1, b, a2] = runs.map(({ r }) => r);
    const journal = (events: readonly AgentEvent[]) =>
      JSON.stringify(events.map((e) => ({ ...e, time: undefined })));
    expect(journal(a1!.events)).toBe(journal(a2!.events));
    expect(a1!.output?.payload).toEqual(a2!.output?.payload);
    expect(journal(b!.events)).not.toBe(journal(a1!.events));
    expect(a1!.output?.id).toBe('run-a:m3');
    expect(a1!.events.find((e) => e.type === 'note')).toMatchObject({
      agent: 'p/chatty',
      note: 'waited',
    });
  });

  it('publishes events to in-process listeners and diagnostics channels', async () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    const channel: string[] = [];
    const onChannel = (message: unknown) => {
      const { event } = message as ChannelMessage<AgentEvent>;
      channel.push(`${event.type}:${event.runId}`);
    };
    subscribe(channelNames.agentCompleted, onChannel);
    const sub = onAgentEvent((e) => seen.push(e.type));
    const listener: AgentEvent[] = [];
    try {
      const agent: Agent = { name: 'a', process: async (_m, c) => c.message('x', {}) };
      const result = await clock.run(
        runAgent(
          agent,
          {},
          { runId: 'r', clock, journal: false, onEvent: (e) => listener.push(e) },
        ),
      );
      expect(result.events).toEqual([]);
    } finally {
      sub.dispose();
      unsubscribe(channelNames.agentCompleted, onChannel);
    }
    const expected = [
      'run-started',
      'agent-started',
      'checkpoint-saved',
      'agent-completed',
      'run-completed',
    ];
    expect(seen).toEqual(expected);
    expect(listener.map((e) => e.type)).toEqual(expected);
    expect(channel).toEqual(['agent-completed:r']);
  });

  it('reports an abort as a failed run at once, even if the agent ignores its signal', async () => {
    const clock = new VirtualClock();
    const deaf: Agent = {
      name: 'deaf',
      async process(_m, context) {
        await context.clock.sleep(10_000);
        return context.message('late', {});
      },
    };
    const controller = new AbortController();
    clock.setTimer(100, () => {
      controller.abort(new Error('stop'));
    });
    const result = await clock.run(
      runAgent(deaf, {}, { runId: 'r', clock, signal: controller.signal }),
    );
    expect(result.status).toBe('failed');
    expect(result.durationMs).toBe(100);
    expect(result.events.at(-1)).toMatchObject({ type: 'run-failed', error: { message: 'stop' } });
  });

  it('refuses a hand-made context in compositions and bad options', async () => {
    const agent = sequential('s', [{ name: 'a', process: async (_m, c) => c.message('x', {}) }]);
    const fake = {} as AgentContext;
    await expect(
      agent.process(
        { id: '1', type: 't', from: 'x', to: 's', runId: 'r', createdAt: 0, payload: {} },
        fake,
      ),
    ).rejects.toThrow(/s\.process: option 'context' must be a context created by runAgent/);
    await expect(runAgent(agent, {}, { runId: '' })).rejects.toSatisfy(isInvalidOptionError);
    await expect(runAgent(agent, {}, { checkpointIntervalMs: 0 })).rejects.toThrow(
      "runAgent: option 'checkpointIntervalMs' must be a finite number > 0, got 0",
    );
  });

  it('rejects a progress fraction outside 0..1', async () => {
    const clock = new VirtualClock();
    const agent: Agent = {
      name: 'a',
      async process(_m, context) {
        await context.progress(1.5);
        return context.message('x', {});
      },
    };
    const result = await clock.run(runAgent(agent, {}, { runId: 'r', clock }));
    expect(result.errorSummary?.message).toBe(
      "a: context.progress: option 'fraction' must be a number between 0 and 1, got 1.5",
    );
  });
});
