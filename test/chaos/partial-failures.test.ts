/**
 * Partial failures and composition: some suppliers down while others answer, a flaky service,
 * inconsistent replicas, truncated and corrupted bodies, out-of-order events, and what the agent
 * compositions (`parallel`, `sequential`, `fallbackAgents`, `withPolicies`) do with them.
 *
 * Real sockets where the failure lives on the wire (suppliers behind the faultline proxy, its
 * HTTP toxics with a per-request probability drawn from a seeded random); in-process faults
 * (`withChaos`) where it lives in the data. Agents and policies run on a `VirtualClock`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  isAgentStepError,
  parallel,
  fallbackAgents,
  runAgent,
  sequential,
  withPolicies,
  type Agent,
  type AgentStepError,
  type BranchResult,
  type ParallelPayload,
} from '../../src/agents/index.ts';
import { createRandom, VirtualClock } from '../../src/core/index.ts';
import { chaos, withChaos, type ChaosConfig } from '../../src/faults/index.ts';
import { retry, type RetryEvent } from '../../src/policies/index.ts';
import { constant } from '../../src/schedule/index.ts';
import {
  driveVirtualTime,
  errorCode,
  HttpStatusError,
  httpGetJson,
  InFlight,
  outcome,
  startHttpService,
  startProxy,
  type HttpService,
  type ProxyHarness,
} from './helpers.ts';

interface Quote {
  readonly supplier: string;
  readonly price: number;
}

let service: HttpService;
let proxy: ProxyHarness;
/** Each supplier's address: a proxy of its own to the service. */
const suppliers: Record<string, string> = {};

beforeAll(async () => {
  service = await startHttpService((req, res) => {
    const name = (req.url ?? '').split('/').pop() ?? '';
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ supplier: name, price: 100 + name.length }));
  });
  proxy = await startProxy({ seed: 'partial' });
  for (const name of ['alpha', 'beta', 'gamma']) {
    suppliers[name] = (await proxy.proxyTo(name, service.port, { http: true })).url;
  }
});

afterEach(async () => {
  await proxy.api.reset();
  service.requests.length = 0;
});

afterAll(async () => {
  await proxy.close();
  await service.close();
});

const io = new InFlight();

/** An agent asking one supplier for a quote over the network. */
function supplierAgent(name: string, calls?: string[]): Agent<unknown, Quote> {
  return {
    name,
    async process(_message, context) {
      calls?.push(name);
      const quote = (await io.track(() =>
        httpGetJson(`${suppliers[name] ?? ''}/quote/${name}`, { signal: context.signal }),
      )) as Quote;
      return context.message('quote', quote);
    },
  };
}

/** Runs `agent` once on a fresh virtual clock, waiting for its real I/O. */
function runOnce<O>(agent: Agent<unknown, O>, seed: string, clock = new VirtualClock()) {
  return driveVirtualTime(
    clock,
    runAgent(agent, { sku: 'KIT-1001' }, { runId: seed, clock, random: createRandom(seed) }),
    io,
  );
}

describe('parallel groups with some branches down', () => {
  it('one supplier refuses connections, one answers 503, one answers: the group returns partial results with each branch’s status', async () => {
    await proxy.api.disable('beta');
    await proxy.api.addToxic('gamma', { type: 'http_status', attributes: { status: 503 } });
    const quotes = parallel(
      'quotes',
      ['alpha', 'beta', 'gamma'].map((n) => supplierAgent(n)),
      {
        require: 'any',
      },
    );
    const result = await runOnce(quotes, 'partial-any');
    expect(result.status).toBe('completed');
    const payload = result.output?.payload as ParallelPayload;
    expect(payload).toEqual({
      branches: [
        { agent: 'alpha', status: 'fulfilled', payload: { supplier: 'alpha', price: 105 } },
        {
          agent: 'beta',
          status: 'rejected',
          error: expect.objectContaining({ code: 'ECONNREFUSED', injected: false }) as unknown,
        },
        {
          agent: 'gamma',
          status: 'rejected',
          error: { name: 'HttpStatusError', message: 'HTTP 503', injected: false },
        },
      ],
      succeeded: 1,
      failed: 2,
    });
    expect(result.events.find((e) => e.type === 'parallel-settled')).toMatchObject({
      succeeded: 1,
      failed: 2,
      required: 1,
      ok: true,
    });
    // Only alpha's request reached the service: beta's was refused, gamma's answered by the proxy.
    expect(service.requests.map((r) => r.path)).toEqual(['/quote/alpha']);

    const strict = parallel(
      'quotes',
      ['alpha', 'beta', 'gamma'].map((n) => supplierAgent(n)),
      {
        require: { quorum: 2 },
      },
    );
    const failed = await runOnce(strict, 'partial-quorum');
    expect(failed.status).toBe('failed');
    expect(failed.errorSummary).toMatchObject({ name: 'ParallelQuorumError' });
    const error = failed.error as { required: number; succeeded: number; results: BranchResult[] };
    expect(error.required).toBe(2);
    expect(error.succeeded).toBe(1);
    expect(error.results.map((r) => `${r.agent}:${r.status}`)).toEqual([
      'alpha:fulfilled',
      'beta:rejected',
      'gamma:rejected',
    ]);
  });
});

describe('flaky, inconsistent and damaged answers', () => {
  it.each([
    { rate: 0.3, attempts: 4 },
    { rate: 0.6, attempts: 8 },
  ])(
    'a service failing $rate of requests (503 from the proxy): without retry about that share fails; retry with $attempts attempts recovers ≥ 98%',
    async ({ rate, attempts }) => {
      await proxy.api.addToxic('alpha', {
        type: 'http_status',
        attributes: { status: 503, probability: rate },
      });
      const url = `${suppliers['alpha'] ?? ''}/quote/alpha`;
      const calls = 150;
      let plain = 0;
      for (let i = 0; i < calls; i++) if ((await outcome(httpGetJson(url))).ok) plain++;
      expect(service.requests).toHaveLength(plain); // every failure came from the flaky link
      expect(1 - plain / calls).toBeGreaterThan(rate - 0.1);
      expect(1 - plain / calls).toBeLessThan(rate + 0.1);

      service.requests.length = 0;
      const clock = new VirtualClock();
      const policy = retry({
        maxAttempts: attempts,
        schedule: constant(50),
        clock,
        random: createRandom(`flaky-${rate}`),
        shouldRetry: (e) => e instanceof HttpStatusError && e.status === 503,
      });
      const retries: RetryEvent[] = [];
      policy.onRetry((e) => retries.push(e));
      let sent = 0;
      let recovered = 0;
      for (let i = 0; i < calls; i++) {
        const result = await outcome(
          driveVirtualTime(
            clock,
            policy.execute(() => {
              sent++;
              return io.track(() => httpGetJson(url));
            }),
            io,
          ),
        );
        if (result.ok) {
          recovered++;
          expect(result.value).toEqual({ supplier: 'alpha', price: 105 });
        }
      }
      expect(recovered / calls).toBeGreaterThanOrEqual(0.98);
      expect(sent).toBe(calls + retries.length);
      expect(service.requests).toHaveLength(recovered); // one served request per success
      expect(retries.every((r) => r.delayMs === 50)).toBe(true);
    },
  );

  it('inconsistent responses: three replicas and a majority vote never return a wrong price (one replica alone does, on every injection)', async () => {
    const truth = { sku: 'KIT-1001', price: 79.5 };
    const replica = (name: string): Agent<unknown, typeof truth> => {
      const read = withChaos(async () => ({ ...truth }), { operation: `replica:${name}` });
      return { name, process: async (_m, context) => context.message('price', await read()) };
    };
    const majority = (results: readonly BranchResult[]): { price: number | null } => {
      const votes = new Map<number, number>();
      for (const r of results) {
        if (r.status !== 'fulfilled') continue;
        const price = (r.message.payload as typeof truth).price;
        votes.set(price, (votes.get(price) ?? 0) + 1);
      }
      const winner = [...votes].find(([, n]) => n >= 2);
      return { price: winner === undefined ? null : winner[0] };
    };
    const config = (seed: string): ChaosConfig => ({
      enabled: true,
      seed,
      killSwitch: false,
      faults: [
        {
          kind: 'corruption',
          mode: 'inconsistent',
          fields: ['price'],
          probability: 0.3,
          target: { operation: 'replica:*' },
        },
      ],
    });
    // A round without a majority is flagged, never guessed: the caller asks the replicas again.
    const tally = { right: 0, wrong: 0, rounds: 0, noMajority: 0, twoOrMoreDamaged: 0 };
    const control = { right: 0, wrong: 0, injections: 0 };
    for (let i = 0; i < 200; i++) {
      const price = await chaos.run(config(`vote-${i}`), async ({ scope }) => {
        for (let round = 0; round < 5; round++) {
          const injectedBefore = scope.journal.injections.length;
          const vote = parallel('vote', ['r1', 'r2', 'r3'].map(replica), { merge: majority });
          const result = await runOnce(vote, `vote-${i}-${round}`);
          tally.rounds++;
          if (scope.journal.injections.length - injectedBefore >= 2) tally.twoOrMoreDamaged++;
          const voted = (result.output?.payload as { price: number | null }).price;
          if (voted !== null) return voted;
          tally.noMajority++;
        }
        return null;
      });
      if (price === truth.price) tally.right++;
      else tally.wrong++;

      const single = await chaos.run(config(`single-${i}`), async ({ scope }) => {
        const result = await runOnce(replica('r1'), `single-${i}`);
        control.injections += scope.journal.injections.length;
        return (result.output?.payload as typeof truth).price;
      });
      if (single === truth.price) control.right++;
      else control.wrong++;
    }
    expect(tally.wrong).toBe(0);
    expect(tally.right).toBe(200);
    // Exactly the rounds where two or three replicas were damaged had no majority.
    expect(tally.noMajority).toBe(tally.twoOrMoreDamaged);
    expect(tally.noMajority).toBeGreaterThan(20);
    expect(tally.rounds).toBe(200 + tally.noMajority);
    expect(control.wrong).toBe(control.injections);
    expect(control.wrong).toBeGreaterThan(40);
  });

  it.each([
    { toxic: 'http_truncate' as const, attributes: { bytes: 8, probability: 0.3 } },
    { toxic: 'http_invalid_json' as const, attributes: { probability: 0.3 } },
  ])(
    '$toxic on 30% of responses: every damaged body is detected (never returned as data) and retry recovers all calls',
    async ({ toxic, attributes }) => {
      await proxy.api.addToxic('beta', { type: toxic, attributes });
      const url = `${suppliers['beta'] ?? ''}/quote/beta`;
      const expected = { supplier: 'beta', price: 104 };
      const calls = 100;
      const damaged: string[] = [];
      for (let i = 0; i < calls; i++) {
        const result = await outcome(httpGetJson(url));
        if (result.ok) expect(result.value).toEqual(expected);
        else
          damaged.push(
            result.error.name === 'SyntaxError'
              ? 'SyntaxError'
              : (errorCode(result.error) ?? result.error.message),
          );
      }
      // Every request reached the service; the proxy damaged some answers on the way back.
      expect(service.requests).toHaveLength(calls);
      expect(damaged.length).toBeGreaterThan(15);
      expect(damaged.length).toBeLessThan(45);
      const detectedAs =
        toxic === 'http_invalid_json' ? ['SyntaxError'] : ['ECONNRESET', 'ERR_INCOMPLETE'];
      expect(damaged.filter((d) => !detectedAs.includes(d))).toEqual([]);

      service.requests.length = 0;
      const clock = new VirtualClock();
      const policy = retry({
        maxAttempts: 10,
        schedule: constant(20),
        clock,
        random: createRandom(5),
      });
      const retries: RetryEvent[] = [];
      policy.onRetry((e) => retries.push(e));
      const answers: unknown[] = [];
      for (let i = 0; i < calls; i++) {
        answers.push(
          await driveVirtualTime(
            clock,
            policy.execute(() => io.track(() => httpGetJson(url))),
            io,
          ),
        );
      }
      expect(answers).toEqual(Array.from({ length: calls }, () => expected));
      expect(retries.length).toBeGreaterThan(15);
      expect(service.requests).toHaveLength(calls + retries.length);
    },
  );

  it('out-of-order events: an output schema detects the reordering and a retry of the agent delivers them in order (the control passes them on)', async () => {
    const events = Array.from({ length: 6 }, (_, i) => ({ seq: i + 1, text: `step ${i + 1}` }));
    const readEvents = withChaos(async () => events.map((e) => ({ ...e })), {
      operation: 'tool:events',
      tool: 'events',
    });
    const ordered = z.object({
      events: z
        .array(z.object({ seq: z.number(), text: z.string() }))
        .refine((list) => list.every((e, i) => i === 0 || (list[i - 1]?.seq ?? 0) < e.seq), {
          message: 'events out of order',
        }),
    });
    type Timeline = z.infer<typeof ordered>;
    const timeline = (schema: boolean): Agent<unknown, Timeline> => ({
      name: 'timeline',
      ...(schema ? { output: ordered } : {}),
      process: async (_m, context) => context.message('timeline', { events: await readEvents() }),
    });
    const inOrder = (t: Timeline | undefined): boolean =>
      t !== undefined && t.events.every((e, i) => e.seq === i + 1);

    const run = async (resilient: boolean) => {
      const clock = new VirtualClock();
      const policy = retry({
        maxAttempts: 5,
        schedule: constant(10),
        clock,
        random: createRandom(6),
      });
      const retries: RetryEvent[] = [];
      policy.onRetry((e) => retries.push(e));
      const agent = resilient ? withPolicies(timeline(true), policy) : timeline(false);
      return chaos.run(
        {
          enabled: true,
          seed: `order-${resilient}`,
          clock,
          killSwitch: false,
          faults: [
            { kind: 'corruption', mode: 'reorder', probability: 0.3, target: { tool: 'events' } },
          ],
        },
        async ({ scope }) => {
          const outputs: (Timeline | undefined)[] = [];
          for (let i = 0; i < 100; i++) {
            const result = await clock.run(
              runAgent(agent, {}, { runId: `order-${i}`, clock, random: createRandom(i) }),
            );
            outputs.push(result.output?.payload);
          }
          return { outputs, retries, injections: scope.journal.injections.length };
        },
      );
    };

    const resilient = await run(true);
    expect(resilient.outputs.every(inOrder)).toBe(true);
    expect(resilient.injections).toBeGreaterThan(15);
    expect(resilient.retries).toHaveLength(resilient.injections); // each reordering caught once
    expect(
      resilient.retries.every((r) => (r.error as Error).message.includes('events out of order')),
    ).toBe(true);

    const control = await run(false);
    expect(control.outputs.filter((o) => !inOrder(o))).toHaveLength(control.injections);
    expect(control.injections).toBeGreaterThan(15);
  });
});

describe('composition under failure', () => {
  it('sequential stops at the first failure: the step after it never runs, the error names the step and carries the work done', async () => {
    const calls: string[] = [];
    const step = (name: string): Agent => ({
      name,
      process: async (message, context) => {
        calls.push(name);
        return context.message(`${name}.done`, { ...(message.payload as object), [name]: true });
      },
    });
    const pipeline = sequential('pipeline', [step('fetch'), step('enrich'), step('publish')]);
    const clock = new VirtualClock();
    const result = await chaos.run(
      {
        enabled: true,
        seed: 'sequential',
        clock,
        killSwitch: false,
        faults: [
          {
            kind: 'network',
            error: 'ECONNRESET',
            probability: 1,
            target: { operation: 'agent:enrich' },
          },
        ],
      },
      () =>
        clock.run(
          runAgent(pipeline, { sku: 'KIT-1001' }, { runId: 'seq', clock, random: createRandom(7) }),
        ),
    );
    expect(result.status).toBe('failed');
    expect(calls).toEqual(['fetch']); // enrich failed before its work, publish never started
    expect(isAgentStepError(result.error)).toBe(true);
    const error = result.error as AgentStepError;
    expect(error).toMatchObject({
      sequence: 'pipeline',
      step: 1,
      agent: 'enrich',
      phase: 'process',
    });
    expect(error.completed.map((m) => m.payload)).toEqual([{ sku: 'KIT-1001', fetch: true }]);
    expect(errorCode(error.cause)).toBe('ECONNRESET');
    const flow = result.events
      .filter((e) => e.type.startsWith('agent-'))
      .map((e) => `${e.type}:${e.agent}`);
    expect(flow).toEqual([
      'agent-started:pipeline',
      'agent-started:pipeline/fetch',
      'agent-completed:pipeline/fetch',
      'agent-started:pipeline/enrich',
      'agent-failed:pipeline/enrich',
      'agent-failed:pipeline',
    ]);
  });

  it('fallback switches to the backup agent when the primary’s supplier is unreachable, and records why', async () => {
    const backupCalls: string[] = [];
    const backup: Agent<unknown, Quote> = {
      name: 'cached',
      process: async (_m, context) => {
        backupCalls.push('cached');
        return context.message('quote', { supplier: 'cache', price: 99 });
      },
    };
    const quote = fallbackAgents<unknown, Quote>('quote', [supplierAgent('gamma'), backup]);

    const healthy = await runOnce(quote, 'fallback-healthy');
    expect(healthy.output?.payload).toEqual({ supplier: 'gamma', price: 105 });
    expect(healthy.output?.meta).toBeUndefined();
    expect(backupCalls).toEqual([]);

    await proxy.api.disable('gamma');
    const result = await runOnce(quote, 'fallback-down');
    expect(result.status).toBe('completed');
    expect(result.output?.payload).toEqual({ supplier: 'cache', price: 99 });
    expect(result.output?.meta).toEqual({
      fallback: {
        agent: 'cached',
        reasons: [
          { agent: 'gamma', error: expect.objectContaining({ code: 'ECONNREFUSED' }) as unknown },
        ],
      },
    });
    expect(result.events.filter((e) => e.type === 'fallback')).toEqual([
      expect.objectContaining({
        from: 'gamma',
        to: 'cached',
        reason: expect.objectContaining({ code: 'ECONNREFUSED', injected: false }) as unknown,
      }),
    ]);
    expect(backupCalls).toEqual(['cached']);
    expect(service.requests.map((r) => r.path)).toEqual(['/quote/gamma']); // the healthy run only
  });
});
