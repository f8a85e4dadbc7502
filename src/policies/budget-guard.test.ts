import { describe, expect, it } from 'vitest';
import { BudgetExceededError, InvalidOptionError, isBudgetExceededError } from '../core/index.ts';
import { budgetGuard, type BudgetExceededEvent, type UsageEvent } from './budget-guard.ts';

interface Reply {
  text: string;
  usage: { totalTokens: number };
}

const reply = (totalTokens: number): Reply => ({ text: 'ok', usage: { totalTokens } });

async function refusalOf(promise: Promise<unknown>): Promise<BudgetExceededError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isBudgetExceededError(error)).toBe(true);
  return error as BudgetExceededError;
}

describe('budgetGuard', () => {
  it('records usage from results and refuses once the budget is spent, without calling fn', async () => {
    const budget = budgetGuard<Reply>({
      maxTokens: 1_000,
      usage: (r) => ({ tokens: r.usage.totalTokens }),
    });
    const exceeded: BudgetExceededEvent[] = [];
    budget.onBudgetExceeded((e) => exceeded.push(e));
    await budget.execute(async () => reply(400));
    await budget.execute(async () => reply(400));
    // 200 left and no estimate: the call runs, and overshoots.
    await budget.execute(async () => reply(400));
    let called = false;
    const error = await refusalOf(
      budget.execute(async () => {
        called = true;
        return reply(1);
      }),
    );
    expect(called).toBe(false);
    expect([error.budget, error.limit, error.used]).toEqual(['tokens', 1_000, 1_200]);
    expect(error.message).toBe(
      'budgetGuard: tokens budget of 1000 would be exceeded (1200 spent or held)',
    );
    expect(exceeded).toEqual([{ budget: 'tokens', limit: 1_000, used: 1_200, requested: 0 }]);
    expect(budget.usage).toEqual({
      tokens: 1_200,
      cost: 0,
      remainingTokens: 0,
      remainingCost: Infinity,
      calls: 3,
      inFlight: 0,
    });
  });

  it('refuses a call whose estimate does not fit in what is left', async () => {
    let next = 400;
    const budget = budgetGuard({ maxTokens: 1_000, estimate: () => ({ tokens: next }) });
    await budget.execute(() => 'a');
    await budget.execute(() => 'b');
    expect(budget.usage.tokens).toBe(800); // the estimate is recorded when there is no usage()
    const error = await refusalOf(budget.execute(() => 'c'));
    expect(error.message).toBe(
      'budgetGuard: tokens budget of 1000 would be exceeded (800 spent or held; this call needs 400 more)',
    );
    next = 200;
    await expect(budget.execute(() => 'd')).resolves.toBe('d');
    expect(budget.usage.remainingTokens).toBe(0);
  });

  it('holds the estimates of running calls so parallel calls cannot overspend', async () => {
    const budget = budgetGuard<Reply>({
      maxTokens: 1_000,
      estimate: () => ({ tokens: 400 }),
      usage: (r) => ({ tokens: r.usage.totalTokens }),
    });
    const gates: ((r: Reply) => void)[] = [];
    const slow = () => new Promise<Reply>((resolve) => gates.push(resolve));
    const first = budget.execute(slow);
    const second = budget.execute(slow);
    expect(budget.usage.inFlight).toBe(2);
    const third = await refusalOf(budget.execute(slow));
    expect(third.used).toBe(800);
    expect(gates).toHaveLength(2);
    gates.forEach((open) => {
      open(reply(100));
    });
    await Promise.all([first, second]);
    expect(budget.usage).toMatchObject({ tokens: 200, inFlight: 0, calls: 2 });
    await expect(budget.execute(async () => reply(50))).resolves.toEqual(reply(50));
  });

  it('checks tokens first, then cost', async () => {
    const budget = budgetGuard({ maxTokens: 100, maxCost: 1 });
    budget.record({ tokens: 10, cost: 1 });
    const error = await refusalOf(budget.execute(() => 1));
    expect([error.budget, error.limit, error.used]).toEqual(['cost', 1, 1]);
    budget.record({ tokens: 90 });
    expect((await refusalOf(budget.execute(() => 1))).budget).toBe('tokens');
    expect(budget.usage).toMatchObject({ remainingTokens: 0, remainingCost: 0, calls: 0 });
  });

  it('records nothing for failed calls and releases their hold', async () => {
    const budget = budgetGuard({ maxTokens: 500, estimate: () => ({ tokens: 500 }) });
    const boom = new Error('model down');
    await expect(budget.execute(() => Promise.reject(boom))).rejects.toBe(boom);
    await expect(
      budget.execute(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(budget.usage).toMatchObject({ tokens: 0, calls: 2, inFlight: 0 });
    await expect(budget.execute(() => 'fits')).resolves.toBe('fits');
  });

  it('reports every recorded usage with running totals', async () => {
    const budget = budgetGuard<Reply>({
      usage: (r) => ({ tokens: r.usage.totalTokens, cost: r.usage.totalTokens / 1_000 }),
    });
    const events: UsageEvent[] = [];
    budget.onUsage((e) => events.push(e));
    await budget.execute(() => reply(500));
    budget.record({ cost: 0.25 });
    expect(events).toEqual([
      { tokens: 500, cost: 0.5, totalTokens: 500, totalCost: 0.5 },
      { tokens: 0, cost: 0.25, totalTokens: 500, totalCost: 0.75 },
    ]);
  });

  it('check() refuses without holding, reset() starts a new run', async () => {
    const budget = budgetGuard({ maxCost: 2 });
    budget.check({ cost: 2 });
    expect(() => {
      budget.check({ cost: 2.5 });
    }).toThrow(BudgetExceededError);
    budget.record({ cost: 2 });
    expect(() => {
      budget.check();
    }).toThrow('budgetGuard: cost budget of 2 would be exceeded (2 spent or held)');
    budget.reset();
    expect(budget.usage).toMatchObject({ cost: 0, remainingCost: 2, calls: 0 });
    await expect(budget.execute(() => 'new run')).resolves.toBe('new run');
  });

  it('refuses everything with a zero budget', async () => {
    const budget = budgetGuard({ maxTokens: 0 });
    expect((await refusalOf(budget.execute(() => 1))).limit).toBe(0);
  });

  it('passes the context through', async () => {
    const budget = budgetGuard();
    const signal = new AbortController().signal;
    await expect(budget.execute((c) => c.attempt, { signal, attempt: 3 })).resolves.toBe(3);
  });

  it('reports bad spending figures instead of silently ignoring the budget', async () => {
    const budget = budgetGuard<Reply>({
      maxTokens: 100,
      usage: (r) => ({ tokens: r.usage.totalTokens }),
    });
    await expect(budget.execute(() => ({ text: '', usage: {} }) as Reply)).rejects.toThrow(
      'budgetGuard: usage().tokens must be a finite number >= 0, got undefined',
    );
    budget.record({ cost: 1 }); // a missing field is simply 0
    expect(budget.usage.tokens).toBe(0);
    await expect(budget.execute(() => reply(Number.NaN))).rejects.toThrow(InvalidOptionError);
    expect(() => {
      budget.record({ tokens: -1 });
    }).toThrow('budgetGuard: usage.tokens must be a finite number >= 0, got -1');
    const estimating = budgetGuard({ estimate: () => ({ cost: Infinity }) });
    await expect(estimating.execute(() => 1)).rejects.toThrow(
      'budgetGuard: estimate().cost must be a finite number >= 0, got Infinity',
    );
  });

  it.each([
    [{ maxTokens: -1 }, "budgetGuard: option 'maxTokens' must be a finite number >= 0, got -1"],
    [{ maxCost: Number.NaN }, "option 'maxCost' must be a finite number >= 0, got NaN"],
    [{ estimate: 100 }, "option 'estimate' must be a function, got 100"],
    [{ usage: {} }, "option 'usage' must be a function, got an object"],
  ])('rejects bad options %o', (options, message) => {
    expect(() => budgetGuard(options as never)).toThrow(InvalidOptionError);
    expect(() => budgetGuard(options as never)).toThrow(message);
  });
});
