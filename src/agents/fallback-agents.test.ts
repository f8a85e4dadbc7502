import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/index.ts';
import { isAllAgentsFailedError, type AllAgentsFailedError } from './errors/index.ts';
import { fallbackAgents } from './fallback-agents.ts';
import { runAgent } from './run-agent.ts';
import type { Agent } from './types.ts';

function failing(name: string, message: string, calls: string[]): Agent {
  return {
    name,
    async process() {
      calls.push(name);
      throw Object.assign(new Error(message), { code: 'E_DOWN' });
    },
  };
}

function answering(name: string, calls: string[]): Agent {
  return {
    name,
    async process(message, context) {
      calls.push(name);
      return context.message('answer', { by: name });
    },
  };
}

describe('fallbackAgents', () => {
  it('answers with the primary when it works, without trying backups', async () => {
    const calls: string[] = [];
    const clock = new VirtualClock();
    const agent = fallbackAgents('writer', [answering('llm', calls), answering('template', calls)]);
    const result = await clock.run(runAgent(agent, {}, { runId: 'r', clock }));
    expect(result.output?.payload).toEqual({ by: 'llm' });
    expect(result.output?.meta).toBeUndefined();
    expect(calls).toEqual(['llm']);
  });

  it('switches to the next agent and records why', async () => {
    const calls: string[] = [];
    const clock = new VirtualClock();
    const agent = fallbackAgents('writer', [
      failing('llm', 'model overloaded', calls),
      failing('cache', 'cache miss', calls),
      answering('template', calls),
    ]);
    const result = await clock.run(runAgent(agent, {}, { runId: 'r', clock }));
    expect(result.status).toBe('completed');
    expect(calls).toEqual(['llm', 'cache', 'template']);
    expect(result.output?.payload).toEqual({ by: 'template' });
    expect(result.output?.meta).toEqual({
      fallback: {
        agent: 'template',
        reasons: [
          {
            agent: 'llm',
            error: { name: 'Error', message: 'model overloaded', code: 'E_DOWN', injected: false },
          },
          {
            agent: 'cache',
            error: { name: 'Error', message: 'cache miss', code: 'E_DOWN', injected: false },
          },
        ],
      },
    });
    const switches = result.events.filter((e) => e.type === 'fallback');
    expect(switches.map((e) => [e.from, e.to, e.reason.message])).toEqual([
      ['llm', 'cache', 'model overloaded'],
      ['cache', 'template', 'cache miss'],
    ]);
  });

  it('lets a backup reuse the primary work through peer context', async () => {
    const clock = new VirtualClock();
    const primary: Agent = {
      name: 'llm',
      async process(_m, context) {
        await context.checkpoint.save({ draft: 'Half-written draft' });
        throw new Error('crashed while reviewing');
      },
    };
    const backup: Agent = {
      name: 'reuse',
      async process(_m, context) {
        const peer = await context.checkpoint.peer<{ draft: string }>('llm');
        return context.message('answer', { draft: peer?.state.draft ?? 'template' });
      },
    };
    const result = await clock.run(
      runAgent(fallbackAgents('writer', [primary, backup]), {}, { runId: 'r', clock }),
    );
    expect(result.output?.payload).toEqual({ draft: 'Half-written draft' });
    expect(result.events.find((e) => e.type === 'checkpoint-restored')).toMatchObject({
      agent: 'writer/reuse',
      key: 'writer/llm',
      peer: true,
    });
  });

  it('fails with every reason when all agents fail, and honours shouldHandle', async () => {
    const calls: string[] = [];
    const clock = new VirtualClock();
    const all = fallbackAgents('writer', [failing('a', 'x', calls), failing('b', 'y', calls)]);
    const result = await clock.run(runAgent(all, {}, { runId: 'r', clock }));
    expect(isAllAgentsFailedError(result.error)).toBe(true);
    const error = result.error as AllAgentsFailedError;
    expect(error.failures.map((f) => f.agent)).toEqual(['a', 'b']);
    expect(error.message).toBe('writer: every agent failed (a: x; b: y)');

    calls.length = 0;
    const picky = fallbackAgents('writer', [failing('a', 'x', calls), answering('b', calls)], {
      shouldHandle: () => false,
    });
    const second = await clock.run(runAgent(picky, {}, { runId: 'r2', clock }));
    expect((second.error as Error).message).toBe('x');
    expect(calls).toEqual(['a']);
  });

  it('needs at least two agents', () => {
    expect(() => fallbackAgents('w', [answering('a', [])])).toThrow(
      "fallbackAgents: option 'agents' must be an array of at least 2 agent(s), got an array",
    );
  });
});
