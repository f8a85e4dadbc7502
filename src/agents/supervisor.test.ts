import { describe, expect, it } from 'vitest';
import { isInvalidOptionError, VirtualClock } from '../core/index.ts';
import {
  chaos,
  createFault,
  isAgentCrashError,
  type Fault,
  type FaultSpec,
} from '../faults/index.ts';
import { BudgetExceededError } from '../core/index.ts';
import { isEscalationError, type EscalationError } from './errors/index.ts';
import { runAgent } from './run-agent.ts';
import { Supervisor, type Escalation, type HealingRecord } from './supervisor.ts';
import type { Agent } from './types.ts';

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

/** An agent doing 4 steps, each a counted side effect, checkpointing after each. */
function uploader(effects: string[]): Agent {
  return {
    name: 'uploader',
    async process(_message, context) {
      const saved = await context.checkpoint.load<{ done: number }>();
      for (let i = saved?.state.done ?? 0; i < 4; i++) {
        await context.clock.sleep(1_000, context.signal);
        await context.sideEffect(`upload-${i}`, () => effects.push(`upload-${i}`));
        await context.checkpoint.save({ done: i + 1 });
        await context.progress((i + 1) / 4);
      }
      return context.message('uploaded', { files: 4 });
    },
  };
}

const crashAtHalf = (): Fault =>
  once({ kind: 'crash', atProgress: 0.5, probability: 1, target: { agent: 'uploader' } });

function kinds(log: readonly HealingRecord[]): string[] {
  return log.map((r) => r.type);
}

describe('Supervisor', () => {
  it('restarts a crashed agent from its checkpoint: no side effect twice', async () => {
    const clock = new VirtualClock();
    const effects: string[] = [];
    const supervisor = new Supervisor({ restartDelayMs: 500 });
    const agent = supervisor.supervise(uploader(effects));
    const result = await clock.run(
      chaos.run({ enabled: true, seed: 1, clock, killSwitch: false, faults: [crashAtHalf()] }, () =>
        runAgent(agent, {}, { runId: 'r', clock }),
      ),
    );
    expect(result.status).toBe('completed');
    expect(effects).toEqual(['upload-0', 'upload-1', 'upload-2', 'upload-3']);
    // 2 s of work, the crash, 0.5 s restart delay, then the remaining 2 s.
    expect(result.durationMs).toBe(4_500);
    expect(kinds(supervisor.log)).toEqual(['supervisor-restart', 'supervisor-healed']);
    expect(supervisor.log[0]).toMatchObject({
      agent: 'uploader',
      restart: 1,
      fromCheckpoint: { seq: 2 },
      reason: { name: 'AgentCrashError', injected: true },
    });
    expect(supervisor.log[1]).toMatchObject({ restarts: 1, recoveryMs: 2_500 });
    expect(supervisor.stats).toEqual({
      restarts: 1,
      healed: 1,
      failedHealings: 0,
      escalations: 0,
      recoveryActions: 0,
    });
    // The journal has the healing too, with the restore of seq 2 by the restarted agent.
    const journal = result.events.map((e) => e.type);
    expect(journal).toContain('supervisor-healed');
    expect(result.events.find((e) => e.type === 'checkpoint-restored')).toMatchObject({ seq: 2 });
  });

  it('without a supervisor, the same crash fails the run', async () => {
    const clock = new VirtualClock();
    const effects: string[] = [];
    const result = await clock.run(
      chaos.run({ enabled: true, seed: 1, clock, killSwitch: false, faults: [crashAtHalf()] }, () =>
        runAgent(uploader(effects), {}, { runId: 'r', clock }),
      ),
    );
    expect(result.status).toBe('failed');
    expect(isAgentCrashError(result.error)).toBe(true);
    expect(effects).toEqual(['upload-0', 'upload-1']);
  });

  it('runs recovery actions only when the success rate is below the threshold', async () => {
    const clock = new VirtualClock();
    const actions: string[] = [];
    let failNext = false;
    const flaky: Agent = {
      name: 'flaky',
      async process(_m, context) {
        if (failNext) {
          failNext = false;
          throw new Error('connection reset');
        }
        return context.message('ok', {});
      },
    };
    const supervisor = new Supervisor({
      window: 10,
      recoveryActions: [
        {
          name: 'clear-cache',
          run: ({ successRate }) => void actions.push(`clear@${successRate}`),
        },
        {
          name: 'reconnect',
          run: () => {
            throw new Error('still down');
          },
        },
      ],
    });
    const agent = supervisor.supervise(flaky);
    const run = (i: number) => clock.run(runAgent(agent, {}, { runId: `r${i}`, clock }));
    for (let i = 0; i < 9; i++) await run(i);
    failNext = true;
    expect((await run(9)).status).toBe('completed');
    expect(actions).toEqual([]);
    // The window holds the last 10 attempts: 8 successes, the failure, the healed restart.
    expect(supervisor.successRate('flaky')).toBe(0.9);
    const fresh = new Supervisor({
      recoveryActions: [{ name: 'reset', run: () => void actions.push('reset') }],
    });
    failNext = true;
    const healed = await clock.run(runAgent(fresh.supervise(flaky), {}, { runId: 'x', clock }));
    expect(healed.status).toBe('completed');
    expect(actions).toEqual(['reset']);
    expect(fresh.log.map((r) => r.type)).toEqual([
      'supervisor-recovery-action',
      'supervisor-restart',
      'supervisor-healed',
    ]);
    // A failing action is recorded, not fatal.
    failNext = true;
    const lowRate = new Supervisor({
      threshold: 1,
      recoveryActions: [{ name: 'reconnect', run: () => Promise.reject(new Error('still down')) }],
    });
    await clock.run(runAgent(lowRate.supervise(flaky), {}, { runId: 'y', clock }));
    expect(lowRate.log[0]).toMatchObject({
      type: 'supervisor-recovery-action',
      action: 'reconnect',
      ok: false,
      error: { message: 'still down' },
    });
  });

  it('escalates after N failed healings: event, callback, EscalationError', async () => {
    const clock = new VirtualClock();
    let calls = 0;
    const dead: Agent = {
      name: 'dead',
      async process() {
        calls++;
        throw new Error(`down #${calls}`);
      },
    };
    const escalations: Escalation[] = [];
    const supervisor = new Supervisor({
      maxRestarts: 5,
      escalateAfter: 3,
      restartDelayMs: 1_000,
      onEscalate: (e) => void escalations.push(e),
    });
    const result = await clock.run(runAgent(supervisor.supervise(dead), {}, { runId: 'r', clock }));
    expect(calls).toBe(4);
    expect(result.durationMs).toBe(3_000);
    expect(isEscalationError(result.error)).toBe(true);
    const error = result.error as EscalationError;
    expect(error.failedHealings).toBe(3);
    expect(error.message).toBe(
      'supervisor escalated dead: healing failed 3 time(s) in a row (last error: down #4)',
    );
    expect(escalations).toEqual([
      { agent: 'dead', runId: 'r', failedHealings: 3, error: expect.any(Error) as unknown },
    ]);
    expect(kinds(supervisor.log)).toEqual([
      'supervisor-restart',
      'supervisor-healing-failed',
      'supervisor-restart',
      'supervisor-healing-failed',
      'supervisor-restart',
      'supervisor-healing-failed',
      'supervisor-escalated',
    ]);
    expect(
      supervisor.log
        .filter((r) => r.type === 'supervisor-healing-failed')
        .map((r) => r.consecutive),
    ).toEqual([1, 2, 3]);
    expect(supervisor.successRate('dead')).toBe(0);
  });

  it('gives up without escalating when restarts run out first, and never restarts permanent refusals', async () => {
    const clock = new VirtualClock();
    let calls = 0;
    const dead: Agent = {
      name: 'dead',
      async process() {
        calls++;
        throw new Error('down');
      },
    };
    const supervisor = new Supervisor({ maxRestarts: 1, escalateAfter: 3 });
    const result = await clock.run(runAgent(supervisor.supervise(dead), {}, { runId: 'r', clock }));
    expect(calls).toBe(2);
    expect((result.error as Error).message).toBe('down');
    expect(supervisor.stats.escalations).toBe(0);

    let budgetCalls = 0;
    const broke: Agent = {
      name: 'broke',
      async process() {
        budgetCalls++;
        throw new BudgetExceededError('no tokens left', { budget: 'tokens', limit: 1, used: 1 });
      },
    };
    await clock.run(runAgent(supervisor.supervise(broke), {}, { runId: 'b', clock }));
    expect(budgetCalls).toBe(1);
  });

  it('rejects bad options', () => {
    const cases: [() => unknown, string][] = [
      [
        () => new Supervisor({ threshold: 1.5 }),
        "supervisor: option 'threshold' must be a number between 0 and 1, got 1.5",
      ],
      [
        () => new Supervisor({ window: 0 }),
        "supervisor: option 'window' must be an integer >= 1, got 0",
      ],
      [
        () => new Supervisor({ window: 2, minCalls: 3 }),
        "supervisor: option 'minCalls' must be at most the window (2), got 3",
      ],
      [
        () => new Supervisor({ escalateAfter: 0 }),
        "supervisor: option 'escalateAfter' must be an integer >= 1, got 0",
      ],
      [
        () => new Supervisor({ recoveryActions: [{ name: 'x' } as never] }),
        "supervisor: option 'recoveryActions[0]' must be a recovery action { name, run }, got an object",
      ],
    ];
    for (const [make, message] of cases) {
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
