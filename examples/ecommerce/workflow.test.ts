import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  chaos,
  createFault,
  createRandom,
  isInvalidOptionError,
  VirtualClock,
  type ChaosConfig,
  type Fault,
  type FaultSpec,
} from '../../src/index.ts';
import { MemoryCheckpointStore } from '../../src/agents/index.ts';
import {
  createEcommerceWorkflow,
  driveVirtualTime,
  FileToolBackend,
  MemoryToolBackend,
  productInputSchema,
  sampleProductInput,
  ScriptedLanguageModel,
  type EcommerceRunContext,
  type EcommerceRunResult,
  type EcommerceWorkflow,
  type ProductInput,
} from './index.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-shop-'));
  dirs.push(dir);
  return dir;
}

/** A fault that fires on the first matching call only (a one-off crash, a single bad hand-off). */
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

const product: ProductInput = {
  sku: 'KIT-1001',
  name: 'Harbor Kettle',
  category: 'Kitchen',
  price: 79.5,
  currency: 'EUR',
  features: ['Keeps heat for hours', 'Dishwasher safe'],
  images: [
    { fileName: 'harbor-kettle-1.jpg', bytes: 120_000 },
    { fileName: 'harbor-kettle-2.jpg', bytes: 98_000 },
  ],
};

interface Run {
  readonly workflow: EcommerceWorkflow;
  readonly input?: ProductInput;
  readonly seed?: string;
  readonly faults?: readonly (FaultSpec | Fault)[];
  readonly chaos?: Partial<ChaosConfig>;
  readonly context?: EcommerceRunContext;
  readonly clock?: VirtualClock;
}

/** One run in virtual time, under chaos when faults are given. */
async function run(options: Run): Promise<EcommerceRunResult & { readonly chaosJournal: string }> {
  const clock = options.clock ?? new VirtualClock();
  const seed = options.seed ?? 'shop-1';
  const random = createRandom(seed);
  const context: EcommerceRunContext = { clock, random, ...options.context };
  const input = options.input ?? product;
  return driveVirtualTime(
    clock,
    chaos.run(
      {
        enabled: options.faults !== undefined || options.chaos !== undefined,
        seed,
        clock,
        killSwitch: false,
        faults: options.faults ?? [],
        ...options.chaos,
      },
      async ({ scope }) => ({
        ...(await options.workflow.run(input, context)),
        chaosJournal: scope.journal.toJsonLines(),
      }),
    ),
    options.workflow.io,
  );
}

const crashProductAtHalf = (): Fault =>
  once({ kind: 'crash', atProgress: 0.5, probability: 1, target: { operation: 'agent:product' } });

describe('e-commerce workflow: the happy path', () => {
  it('publishes the product and schedules its campaign, end to end in virtual time', async () => {
    const result = await run({ workflow: createEcommerceWorkflow() });
    expect(result.status).toBe('completed');
    expect(result.crashed).toBe(false);
    expect(result.degraded).toBe(false);
    expect(result.output).toMatchObject({
      sku: 'KIT-1001',
      listingId: 'L-KIT-1001',
      campaignId: 'C-KIT-1001',
      headline: 'Meet Harbor Kettle',
      channels: ['email', 'social'],
      source: 'llm',
      reviewRounds: 1,
      descriptionSource: 'llm',
    });
    expect(result.steps).toEqual({ product: 'completed', marketing: 'completed' });
    expect(result.stats).toMatchObject({
      llmCalls: 3,
      tools: {
        calls: { 'upload-image': 2, 'publish-product': 1, 'schedule-campaign': 1 },
        writes: 4,
        duplicates: 0,
      },
      sideEffects: { executed: 4, replayed: 0 },
      restarts: 0,
      fallbacks: 0,
      handoffRejections: 0,
      corruptCheckpoints: 0,
    });
    expect(result.stats.tokens).toBeGreaterThan(100);
    // Model latency (~1-2 s per call) and tool latency are simulated on the clock.
    expect(result.durationMs).toBeGreaterThan(3_000);
    expect(result.durationMs).toBeLessThan(8_000);
    const flow = result.events
      .filter((e) => e.type.startsWith('agent-') || e.type.startsWith('run-'))
      .map((e) => `${e.type}:${e.agent}`);
    expect(flow).toEqual([
      'run-started:orchestrator',
      'agent-started:orchestrator',
      'agent-started:orchestrator/product',
      'agent-completed:orchestrator/product',
      'agent-started:orchestrator/marketing',
      'agent-completed:orchestrator/marketing',
      'agent-completed:orchestrator',
      'run-completed:orchestrator',
    ]);
  });

  it('succeeds on every run without faults, with and without resilience', async () => {
    for (const resilience of [true, false]) {
      const workflow = createEcommerceWorkflow({ resilience });
      const clock = new VirtualClock();
      const results = await clock.run(
        Promise.all(
          Array.from({ length: 40 }, (_, i) => {
            const random = createRandom(`happy-${i}`);
            return workflow.run(sampleProductInput(random.fork('input')), { clock, random });
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'completed')).toHaveLength(40);
      expect(results.some((r) => r.degraded)).toBe(false);
      expect(new Set(results.map((r) => r.runId)).size).toBe(40);
    }
  });

  it('is deterministic: same seed, same output and journal, alone or among concurrent runs', async () => {
    const workflow = createEcommerceWorkflow();
    const chaosConfig = { failureRate: 0.3, types: ['network'] };
    const solo = await run({ workflow, seed: 'replay-7', chaos: chaosConfig });
    const again = await run({ workflow, seed: 'replay-7', chaos: chaosConfig });
    expect(again.output).toEqual(solo.output);
    expect(again.journal()).toBe(solo.journal());
    expect(again.chaosJournal).toBe(solo.chaosJournal);
    expect(solo.chaosJournal).toContain('"type":"injection"');

    const clock = new VirtualClock();
    const crowd = await Promise.all(
      ['replay-1', 'replay-2', 'replay-7', 'replay-9'].map((seed) =>
        run({ workflow, seed, chaos: chaosConfig, clock }),
      ),
    );
    const inCrowd = crowd[2]!;
    expect(inCrowd.journal()).toBe(solo.journal());
    expect(inCrowd.chaosJournal).toBe(solo.chaosJournal);
    expect(inCrowd.output).toEqual(solo.output);
    expect(crowd[0]!.journal()).not.toBe(solo.journal());

    // A replay on a clock that starts elsewhere (a campaign's shared clock) matches too.
    const later = await run({
      workflow,
      seed: 'replay-7',
      chaos: chaosConfig,
      clock: new VirtualClock({ start: 1_764_000_000_000 }),
    });
    expect(later.journal()).toBe(solo.journal());
    expect(later.chaosJournal).toBe(solo.chaosJournal);
  });
});

describe('e-commerce workflow: files in a run directory', () => {
  it('writes real files and checkpoints, deterministically', async () => {
    const dir = await tempDir();
    const workflow = createEcommerceWorkflow({ runDir: dir });
    const result = await run({ workflow, context: { runId: 'order-1' } });
    expect(result.status).toBe('completed');
    const root = join(dir, 'tools', 'runs', 'order-1');
    expect((await readdir(join(root, 'images'))).sort()).toEqual([
      'KIT-1001-1-harbor-kettle-1.jpg',
      'KIT-1001-2-harbor-kettle-2.jpg',
    ]);
    const listing = JSON.parse(await readFile(join(root, 'catalog', 'KIT-1001.json'), 'utf8')) as {
      listingId: string;
      description: string;
    };
    expect(listing.listingId).toBe('L-KIT-1001');
    expect(listing.description).toMatch(/^Harbor Kettle brings keeps heat for hours/);
    expect(await readdir(join(root, 'campaigns'))).toEqual(['C-KIT-1001.json']);
    expect((await readdir(join(dir, 'checkpoints', 'order-1'))).sort()).toEqual([
      'ledger%2Fpublish%3AKIT-1001',
      'ledger%2Fschedule%3AKIT-1001',
      'ledger%2Fupload%3AKIT-1001%3A0',
      'ledger%2Fupload%3AKIT-1001%3A1',
      'orchestrator',
      'orchestrator%2Fmarketing',
      'orchestrator%2Fproduct',
    ]);
    const memory = await run({
      workflow: createEcommerceWorkflow(),
      context: { runId: 'order-1' },
    });
    expect(memory.journal()).toBe(result.journal());
    expect(memory.output).toEqual(result.output);
  });

  it('resumes a failed run from its checkpoints: nothing done twice', async () => {
    const dir = await tempDir();
    const fragile = createEcommerceWorkflow({ runDir: dir, resilience: false });
    const first = await run({
      workflow: fragile,
      context: { runId: 'order-2' },
      faults: [{ kind: 'crash', probability: 1, target: { operation: 'agent:marketing' } }],
    });
    expect(first.status).toBe('failed');
    expect(first.steps).toEqual({ product: 'completed', marketing: 'failed' });
    expect(first.stats.tools.writes).toBe(3);
    const second = await run({ workflow: fragile, context: { runId: 'order-2' } });
    expect(second.status).toBe('completed');
    expect(second.steps).toEqual({ product: 'skipped', marketing: 'completed' });
    // Only the marketing agent worked: its draft and review, and one schedule.
    expect(second.stats.llmCalls).toBe(2);
    expect(second.stats.tools).toEqual({
      calls: { 'upload-image': 0, 'publish-product': 0, 'schedule-campaign': 1 },
      writes: 1,
      duplicates: 0,
    });
    const images = await readdir(join(dir, 'tools', 'runs', 'order-2', 'images'));
    expect(images).toHaveLength(2);
  });
});

describe('e-commerce workflow: resilience against a crash', () => {
  it('recovers from a product-agent crash at 50% with resilience: restarted from its checkpoint', async () => {
    const result = await run({
      workflow: createEcommerceWorkflow(),
      faults: [crashProductAtHalf()],
    });
    expect(result.status).toBe('completed');
    expect(result.degraded).toBe(false);
    expect(result.stats.restarts).toBe(1);
    expect(result.stats.healed).toBe(1);
    // The description drafted before the crash was checkpointed: no second model call.
    expect(result.stats.llmCalls).toBe(3);
    expect(result.stats.tools.writes).toBe(4);
    expect(result.stats.sideEffects).toEqual({ executed: 4, replayed: 0 });
    const restart = result.events.find((e) => e.type === 'supervisor-restart');
    expect(restart).toMatchObject({
      agent: 'orchestrator/product',
      reason: { name: 'AgentCrashError', injected: true, fault: 'crash' },
      fromCheckpoint: { progress: 0.25 },
    });
    expect(result.chaosJournal).toContain('"operation":"agent:product"');
  });

  it('recovers from a crash in the middle of the uploads without uploading anything twice', async () => {
    const result = await run({
      workflow: createEcommerceWorkflow(),
      faults: [
        // Two images: progress is 0.625 after the first upload, 0.75 after the second.
        once({
          kind: 'crash',
          atProgress: 0.6,
          probability: 1,
          target: { operation: 'agent:product' },
        }),
      ],
    });
    expect(result.status).toBe('completed');
    expect(result.stats.restarts).toBe(1);
    expect(result.stats.tools.calls['upload-image']).toBe(2);
    expect(result.stats.sideEffects).toEqual({ executed: 4, replayed: 1 });
    expect(result.stats.tools.writes).toBe(4);
  });

  it('fails on the same crash without resilience (the control)', async () => {
    const result = await run({
      workflow: createEcommerceWorkflow({ resilience: false }),
      faults: [crashProductAtHalf()],
    });
    expect(result.status).toBe('failed');
    expect(result.crashed).toBe(true);
    expect(result.failedAgent).toBe('product');
    expect(result.rootError).toMatchObject({ name: 'AgentCrashError', injected: true });
    expect(result.steps).toEqual({ product: 'failed', marketing: 'not-run' });
    expect(result.stats.tools.writes).toBe(0);
  });
});

describe('e-commerce workflow: other faults', () => {
  const corruptHandoff = (): Fault =>
    once({
      kind: 'corruption',
      mode: 'flip-types',
      fields: ['payload.price'],
      probability: 1,
      target: { operation: 'handoff:product->marketing' },
    });

  it('detects a corrupted hand-off and re-delivers it from the product checkpoint', async () => {
    const result = await run({ workflow: createEcommerceWorkflow(), faults: [corruptHandoff()] });
    expect(result.status).toBe('completed');
    expect(result.stats.handoffRejections).toBe(1);
    expect(result.events.find((e) => e.type === 'handoff-rejected')).toMatchObject({
      from: 'product',
      to: 'marketing',
      issues: [{ path: 'payload.price' }],
    });
    const peer = result.events.find((e) => e.type === 'checkpoint-restored' && e.peer);
    expect(peer).toMatchObject({ agent: 'orchestrator/marketing', key: 'orchestrator/product' });

    const control = await run({
      workflow: createEcommerceWorkflow({ resilience: false }),
      faults: [corruptHandoff()],
    });
    expect(control.status).toBe('failed');
    expect(control.rootError?.name).toBe('HandoffValidationError');
    expect(control.rootError?.message).toMatch(
      /^hand-off product -> marketing rejected: payload\.price/,
    );
    expect(control.steps.marketing).toBe('not-run');
  });

  it('fails gracefully when a tool server is down for 60 s: 3 retries, clear error, nothing published', async () => {
    const result = await run({
      workflow: createEcommerceWorkflow(),
      chaos: { durationMs: 60_000 },
      faults: [
        {
          kind: 'network',
          error: 'ECONNREFUSED',
          probability: 1,
          target: { operation: 'tool:upload-image' },
        },
      ],
    });
    expect(result.status).toBe('failed');
    expect(result.crashed).toBe(false);
    expect(result.rootError).toMatchObject({
      name: 'ToolUnavailableError',
      code: 'EC_TOOL_UNAVAILABLE',
    });
    expect(result.rootError?.message).toMatch(
      /^tool 'upload-image' unavailable after 4 attempt\(s\) \(last error: .*ECONNREFUSED/,
    );
    expect(result.stats.tools.calls).toEqual({
      'upload-image': 0,
      'publish-product': 0,
      'schedule-campaign': 0,
    });
    expect(result.stats.restarts).toBe(0);
    expect(result.durationMs).toBeLessThan(20_000);
  });

  it('stops a review loop with the loop guard and falls back to the template campaign', async () => {
    const model = new ScriptedLanguageModel({
      script: { 'review-campaign': () => '{"verdict":"revise","notes":"More energy."}' },
    });
    const result = await run({ workflow: createEcommerceWorkflow({ model }) });
    expect(result.status).toBe('completed');
    expect(result.degraded).toBe(true);
    expect(result.output).toMatchObject({
      source: 'template',
      reviewRounds: 0,
      channels: ['email'],
    });
    // The description and the draft; the draft's review and revision; then 10 reviews (and
    // revisions) of the revision, which the scripted model keeps identical: the 11th identical
    // review is refused.
    expect(result.stats.llmCalls).toBe(2 + 2 * 11);
    const note = result.events.find((e) => e.type === 'note');
    expect(note).toMatchObject({ note: 'fallback: marketing:review' });
    expect(JSON.stringify(note)).toContain('LoopDetectedError');

    const control = await run({ workflow: createEcommerceWorkflow({ model, resilience: false }) });
    expect(control.status).toBe('failed');
    expect(control.rootError).toMatchObject({ name: 'ReviewLoopError' });
    expect(control.stats.llmCalls).toBe(2 + 2 * 25);
  });

  it('lets a fault reach a parsed model answer (llm:<task>) and still detects a damaged one', async () => {
    const revise = await run({
      workflow: createEcommerceWorkflow(),
      faults: [
        {
          kind: 'hallucination',
          mutate: (value: unknown) => ({ ...(value as object), verdict: 'revise' }),
          probability: 1,
          target: { operation: 'llm:review-campaign' },
        },
      ],
    });
    expect(revise.status).toBe('completed');
    expect(revise.output?.source).toBe('template');
    expect(JSON.stringify(revise.events)).toContain('LoopDetectedError');

    const damaged = await run({
      workflow: createEcommerceWorkflow(),
      faults: [
        once({
          kind: 'hallucination',
          mode: 'replace-value',
          fields: ['verdict'],
          probability: 1,
          target: { operation: 'llm:review-campaign' },
        }),
      ],
    });
    // 'approve' replaced by a plausible string fails the review schema: retried, then approved.
    expect(damaged.status).toBe('completed');
    expect(damaged.output?.source).toBe('llm');
    expect(damaged.stats.llmCalls).toBe(4);
  });

  it('degrades to templates when the token budget runs out', async () => {
    const result = await run({
      workflow: createEcommerceWorkflow({ settings: { tokenBudget: 150 } }),
    });
    expect(result.status).toBe('completed');
    expect(result.degraded).toBe(true);
    expect(result.output?.descriptionSource).toBe('llm');
    expect(result.output?.source).toBe('template');
    expect(result.stats.tokens).toBeLessThanOrEqual(150 + 200);
    const notes = result.events.filter((e) => e.type === 'note');
    expect(JSON.stringify(notes)).toContain('BudgetExceededError');
  });

  it('times out a hung model and falls back, in virtual time', async () => {
    const result = await run({
      workflow: createEcommerceWorkflow(),
      faults: [
        { kind: 'hang', probability: 1, target: { operation: 'llm.generate', agent: 'product' } },
      ],
    });
    expect(result.status).toBe('completed');
    expect(result.output?.descriptionSource).toBe('template');
    // Three 30 s attempts and their backoff: over 90 s of virtual time, in milliseconds of real time.
    expect(result.durationMs).toBeGreaterThan(90_000);
  });

  it('rejects an invalid product without retrying or restarting', async () => {
    const result = await run({
      workflow: createEcommerceWorkflow(),
      input: { ...product, price: -1 },
    });
    expect(result.status).toBe('failed');
    expect(result.crashed).toBe(false);
    expect(result.rootError).toMatchObject({
      name: 'InvalidProductError',
      code: 'EC_INVALID_PRODUCT',
    });
    expect(result.rootError?.message).toBe(
      'invalid product: price: Too small: expected number to be >0',
    );
    expect(result.stats.restarts).toBe(0);
  });

  it('meets the resilience bar at a 30% failure rate where the control does not', async () => {
    const rate = async (resilience: boolean): Promise<number> => {
      const workflow = createEcommerceWorkflow({ resilience });
      const clock = new VirtualClock();
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          run({
            workflow,
            clock,
            seed: `bar-${i}`,
            input: sampleProductInput(createRandom(`bar-${i}`).fork('input')),
            chaos: { failureRate: 0.3, types: ['network'] },
          }),
        ),
      );
      return results.filter((r) => r.status === 'completed').length / results.length;
    };
    expect(await rate(true)).toBeGreaterThanOrEqual(0.9);
    expect(await rate(false)).toBeLessThan(0.2);
  });
});

describe('e-commerce workflow: inputs and options', () => {
  it('generates valid, seed-determined sample products', () => {
    fc.assert(
      fc.property(fc.string(), (seed) => {
        const a = sampleProductInput(createRandom(seed));
        expect(productInputSchema.safeParse(a).success).toBe(true);
        expect(sampleProductInput(createRandom(seed))).toEqual(a);
      }),
      { numRuns: 200 },
    );
  });

  it('accepts its own tool backend and checkpoint store per run', async () => {
    const tools = new MemoryToolBackend();
    const checkpoints = new MemoryCheckpointStore();
    const result = await run({
      workflow: createEcommerceWorkflow(),
      context: { runId: 'custom', tools, checkpoints },
    });
    expect(result.status).toBe('completed');
    expect([...tools.files.keys()].filter((k) => !k.includes('/idempotency/')).sort()).toEqual([
      'runs/custom/campaigns/C-KIT-1001.json',
      'runs/custom/catalog/KIT-1001.json',
      'runs/custom/images/KIT-1001-1-harbor-kettle-1.jpg',
      'runs/custom/images/KIT-1001-2-harbor-kettle-2.jpg',
    ]);
    expect((await checkpoints.list('custom')).length).toBeGreaterThan(5);
    expect(new FileToolBackend('/tmp').kind).toBe('file');
  });

  it('rejects bad options with a clear error', () => {
    const cases: [() => unknown, string][] = [
      [
        () => createEcommerceWorkflow({ settings: { llmAttempts: 0 } }),
        "createEcommerceWorkflow: option 'settings.llmAttempts' must be an integer >= 1, got 0",
      ],
      [
        () => createEcommerceWorkflow({ resilience: 'yes' as unknown as boolean }),
        'createEcommerceWorkflow: option \'resilience\' must be a boolean, got "yes"',
      ],
      [
        () => new ScriptedLanguageModel({ latencyMs: -1 }),
        "ScriptedLanguageModel: option 'latencyMs' must be a finite number >= 0, got -1",
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
