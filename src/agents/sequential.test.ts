import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRandom, isInvalidOptionError, VirtualClock } from '../core/index.ts';
import { chaos, createFault, type Fault, type FaultSpec } from '../faults/index.ts';
import { retry } from '../policies/index.ts';
import type { AgentEvent } from './agent-events.ts';
import { MemoryCheckpointStore } from './checkpoint/index.ts';
import { isAgentStepError, isHandoffValidationError, type AgentStepError } from './errors/index.ts';
import { runAgent } from './run-agent.ts';
import { sequential } from './sequential.ts';
import type { Agent } from './types.ts';

/** A fault that fires on the first matching call only. */
function once(spec: FaultSpec): Fault {
  const fault = createFault(spec);
  return {
    ...fault,
    effect(context) {
      if (context.state.has('fired')) return undefined;
      context.state.set('fired', true);
      return fault.effect(context);
    },
  };
}

const priced = z.object({ sku: z.string(), price: z.number() });

function step(name: string, delayMs: number, calls: string[], fail?: () => boolean): Agent {
  return {
    name,
    async process(message, context) {
      calls.push(name);
      await context.clock.sleep(delayMs, context.signal);
      if (fail?.() === true) throw new Error(`${name} broke`);
      const payload = message.payload as { trail?: string[] };
      return context.message(`${name}.done`, {
        ...payload,
        trail: [...(payload.trail ?? []), name],
      });
    },
  };
}

function types(events: readonly AgentEvent[]): string[] {
  return events.map((e) => `${e.type}:${e.agent}`);
}

describe('sequential', () => {
  it('runs steps in order, each on the previous output, in virtual time', async () => {
    const clock = new VirtualClock();
    const calls: string[] = [];
    const pipeline = sequential('pipeline', [
      step('a', 100, calls),
      step('b', 200, calls),
      step('c', 300, calls),
    ]);
    const result = await clock.run(
      runAgent(pipeline, { trail: [] }, { runId: 'r', clock, random: createRandom(1) }),
    );
    expect(result.status).toBe('completed');
    expect(result.output?.payload).toEqual({ trail: ['a', 'b', 'c'] });
    expect(result.output?.from).toBe('c');
    expect(result.durationMs).toBe(600);
    expect(calls).toEqual(['a', 'b', 'c']);
    expect(types(result.events).filter((t) => t.startsWith('agent-'))).toEqual([
      'agent-started:pipeline',
      'agent-started:pipeline/a',
      'agent-completed:pipeline/a',
      'agent-started:pipeline/b',
      'agent-completed:pipeline/b',
      'agent-started:pipeline/c',
      'agent-completed:pipeline/c',
      'agent-completed:pipeline',
    ]);
  });

  it('stops at the first failure and reports which step failed, with the partial results', async () => {
    const clock = new VirtualClock();
    const calls: string[] = [];
    const pipeline = sequential('pipeline', [
      step('a', 10, calls),
      step('b', 10, calls, () => true),
      step('c', 10, calls),
    ]);
    const result = await clock.run(runAgent(pipeline, {}, { runId: 'r', clock }));
    expect(result.status).toBe('failed');
    expect(calls).toEqual(['a', 'b']);
    expect(isAgentStepError(result.error)).toBe(true);
    const error = result.error as AgentStepError;
    expect([error.step, error.agent, error.phase]).toEqual([1, 'b', 'process']);
    expect(error.completed.map((m) => m.from)).toEqual(['a']);
    expect(error.message).toBe('pipeline: step 2 (b) failed: b broke');
    expect((error.cause as Error).message).toBe('b broke');
    const failed = result.events.find((e) => e.type === 'step-failed');
    expect(failed).toMatchObject({ agent: 'pipeline', step: 1, stepAgent: 'b', phase: 'process' });
  });

  it('detects a corrupted hand-off instead of passing it on', async () => {
    const clock = new VirtualClock();
    const calls: string[] = [];
    const consumer: Agent<z.infer<typeof priced>> = {
      name: 'consumer',
      input: priced,
      async process(message, context) {
        calls.push(`consumer:${typeof message.payload.price}`);
        return context.message('ok', message.payload);
      },
    };
    const producer: Agent = {
      name: 'producer',
      process: async (_m, context) => context.message('item', { sku: 'S1', price: 12.5 }),
    };
    const pipeline = sequential('pipeline', [producer, consumer]);
    const result = await clock.run(
      chaos.run(
        {
          enabled: true,
          seed: 3,
          clock,
          killSwitch: false,
          faults: [
            {
              kind: 'corruption',
              mode: 'flip-types',
              fields: ['payload.price'],
              probability: 1,
              target: { operation: 'handoff:producer->consumer' },
            },
          ],
        },
        () => runAgent(pipeline, {}, { runId: 'r', clock }),
      ),
    );
    expect(result.status).toBe('failed');
    expect(calls).toEqual([]);
    const error = result.error as AgentStepError;
    expect([error.phase, error.step, error.agent]).toEqual(['handoff', 1, 'consumer']);
    expect(isHandoffValidationError(error.cause)).toBe(true);
    expect((error.cause as Error).message).toMatch(
      /^hand-off producer -> consumer rejected: payload\.price: .* \(got "12\.5"\)$/,
    );
    expect(result.events.find((e) => e.type === 'handoff-rejected')).toMatchObject({
      from: 'producer',
      to: 'consumer',
      attempt: 1,
      issues: [{ path: 'payload.price' }],
    });
  });

  it('re-delivers a rejected hand-off from the sender checkpoint when a hand-off policy is set', async () => {
    const clock = new VirtualClock();
    const seen: unknown[] = [];
    const consumer: Agent<z.infer<typeof priced>> = {
      name: 'consumer',
      input: priced,
      process: async (message, context) => {
        seen.push(message.payload);
        return context.message('ok', message.payload);
      },
    };
    const producer: Agent = {
      name: 'producer',
      process: async (_m, context) => context.message('item', { sku: 'S1', price: 12.5 }),
    };
    const pipeline = sequential('pipeline', [producer, consumer], {
      handoff: retry({ maxAttempts: 3, clock, random: createRandom('h') }),
    });
    const result = await clock.run(
      chaos.run(
        {
          enabled: true,
          seed: 3,
          clock,
          killSwitch: false,
          faults: [
            once({
              kind: 'corruption',
              mode: 'drop-fields',
              fields: ['payload.sku'],
              probability: 1,
              target: { operation: 'handoff:*' },
            }),
          ],
        },
        () => runAgent(pipeline, {}, { runId: 'r', clock }),
      ),
    );
    expect(result.status).toBe('completed');
    expect(seen).toEqual([{ sku: 'S1', price: 12.5 }]);
    const handoff = result.events.filter(
      (e) => e.type === 'handoff-rejected' || (e.type === 'checkpoint-restored' && e.peer),
    );
    expect(handoff).toEqual([
      expect.objectContaining({ type: 'handoff-rejected', attempt: 1 }),
      expect.objectContaining({
        type: 'checkpoint-restored',
        agent: 'pipeline/consumer',
        key: 'pipeline/producer',
        reason: 'completed',
        peer: true,
      }),
    ]);
  });

  it('resumes a failed run with the same id: completed steps and side effects are not repeated', async () => {
    const clock = new VirtualClock();
    const store = new MemoryCheckpointStore();
    const calls: string[] = [];
    let effects = 0;
    let broken = true;
    const charge: Agent = {
      name: 'charge',
      async process(message, context) {
        calls.push('charge');
        await context.sideEffect('charge-card', () => ++effects);
        return context.message('charged', message.payload);
      },
    };
    const pipeline = sequential('pipeline', [charge, step('ship', 50, calls, () => broken)]);
    const options = { runId: 'order-1', clock, checkpoints: store };
    const first = await clock.run(runAgent(pipeline, { order: 1 }, options));
    expect(first.status).toBe('failed');
    broken = false;
    const second = await clock.run(runAgent(pipeline, { order: 1 }, options));
    expect(second.status).toBe('completed');
    expect(calls).toEqual(['charge', 'ship', 'ship']);
    expect(effects).toBe(1);
    expect(types(second.events)).toContain('agent-skipped:pipeline/charge');
    const third = await clock.run(runAgent(pipeline, { order: 1 }, options));
    expect(types(third.events)).toEqual([
      'run-started:pipeline',
      'agent-skipped:pipeline',
      'run-completed:pipeline',
    ]);
    expect(third.output).toEqual(second.output);
  });

  it('validates the first step input against its schema too', async () => {
    const clock = new VirtualClock();
    const calls: string[] = [];
    const typed: Agent<z.infer<typeof priced>> = {
      name: 'typed',
      input: priced,
      process: async (message, context) => {
        calls.push('typed');
        return context.message('ok', message.payload);
      },
    };
    const result = await clock.run(
      runAgent(
        sequential('pipeline', [typed]),
        { sku: 'S1', price: 'free' },
        { runId: 'r', clock },
      ),
    );
    expect(calls).toEqual([]);
    const error = result.error as AgentStepError;
    expect([error.step, error.phase]).toEqual([0, 'handoff']);
    expect((error.cause as Error).message).toMatch(
      /^hand-off caller -> typed rejected: payload\.price: .* \(got "free"\)$/,
    );
  });

  it('rejects bad options', () => {
    const a = step('a', 0, []);
    const bad: [() => unknown, string][] = [
      [
        () => sequential('', [a]),
        'sequential: option \'name\' must be a non-empty name without "/", got ""',
      ],
      [
        () => sequential('s', []),
        "sequential: option 'steps' must be an array of at least 1 agent(s), got an array",
      ],
      [
        () => sequential('s', [a, a]),
        'sequential: option \'steps[1].name\' must be a unique name, got "a"',
      ],
      [
        () => sequential('s', [{ name: 'x/y', process: (m, c) => a.process(m, c) }]),
        'sequential: option \'steps[0]\' must be an Agent with a name (no "/") and process(), got an object',
      ],
    ];
    for (const [make, message] of bad) {
      let error: unknown;
      try {
        make();
      } catch (e) {
        error = e;
      }
      expect(isInvalidOptionError(error)).toBe(true);
      expect((error as Error).message).toBe(message);
    }
  });
});
