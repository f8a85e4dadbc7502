import { join } from 'node:path';
import {
  assertInteger,
  assertNonNegativeNumber,
  assertPositiveNumber,
  assertRecord,
  invalidOption,
  linkedController,
  randomSeeded,
  realClock,
  TimeoutError,
  type Clock,
  type Random,
} from '../../src/index.ts';
import {
  FileCheckpointStore,
  isAgentStepError,
  MemoryCheckpointStore,
  rootCause,
  runAgent,
  sequential,
  summarizeError,
  type AgentErrorSummary,
  type AgentEvent,
  type CheckpointStore,
  type Workflow,
  type WorkflowRunContext,
  type WorkflowRunResult,
} from '../../src/agents/index.ts';
import { IoGate } from './io-gate.ts';
import { ScriptedLanguageModel, type LanguageModel } from './llm.ts';
import { createMarketingAgent } from './marketing-agent.ts';
import { createProductAgent } from './product-agent.ts';
import {
  defaultResilienceSettings,
  ResilienceKit,
  type ResilienceSettings,
} from './resilience-kit.ts';
import type { ProductInput, ScheduledCampaign } from './schemas.ts';
import {
  EcommerceTools,
  FileToolBackend,
  MemoryToolBackend,
  type ToolBackend,
  type ToolStats,
} from './tools.ts';

/** Options of {@link createEcommerceWorkflow}. */
export interface EcommerceWorkflowOptions {
  /**
   * Use faultline's policies (retry, timeout, breakers, bulkheads, fallbacks, loop and budget
   * guards, hand-off re-delivery, supervisor restarts). `false` is the control: the same
   * agents with no resilience, to show that they fail where the resilient system recovers.
   * @default true
   */
  readonly resilience?: boolean;
  /**
   * The LLM.
   * @default new ScriptedLanguageModel()
   */
  readonly model?: LanguageModel;
  /**
   * File mode: tools write real files under `<runDir>/tools/runs/<runId>/`, checkpoints go to
   * `<runDir>/checkpoints/`. Without it (memory mode, for campaigns) each run gets fresh
   * in-memory backends.
   * @default undefined (memory mode)
   */
  readonly runDir?: string;
  /**
   * Overrides of the resilience settings.
   * @default defaultResilienceSettings
   */
  readonly settings?: Partial<ResilienceSettings>;
  /**
   * Mean latency of a tool call, in milliseconds of the run's clock.
   * @default 80
   */
  readonly toolLatencyMs?: number;
  /**
   * Make the default checkpoint stores' reads and writes injection sites (`checkpoint.read`,
   * `checkpoint.write`) for storage-fault scenarios. Off by default, so that untargeted chaos
   * (a failure rate over every call) does not also hit local storage.
   * @default false
   */
  readonly storageFaults?: boolean;
}

/** What {@link EcommerceWorkflow.run} takes besides the product. */
export interface EcommerceRunContext extends WorkflowRunContext {
  /** @default realClock (pass the campaign's `VirtualClock`) */
  readonly clock?: Clock;
  /** The run's randomness; every agent, policy and tool forks it. @default randomSeeded() */
  readonly random?: Random;
  /** Reuse a failed run's id (with the same stores) to resume it. @default `ecommerce-<random.seed>` */
  readonly runId?: string;
  /** Cancels the run. @default undefined */
  readonly signal?: AbortSignal;
  /**
   * Where checkpoints and the idempotency ledger go.
   * @default a file store in `<runDir>/checkpoints`, else a new memory store
   */
  readonly checkpoints?: CheckpointStore;
  /** Where tools write. @default files under `<runDir>/tools`, else a new memory backend */
  readonly tools?: ToolBackend;
  /**
   * Hard limit of the run on its clock: a harness safety net (with or without resilience), so
   * that a hang with no timeout still ends.
   * @default 3_600_000
   */
  readonly deadlineMs?: number;
  /** Interval of time-based checkpoints. @default 300_000 */
  readonly checkpointIntervalMs?: number;
  /** Called with every agent event of the run. @default undefined */
  readonly onEvent?: (event: AgentEvent) => void;
}

/** How an agent of the workflow fared. */
export type StepStatus = 'completed' | 'skipped' | 'failed' | 'not-run';

/** What one run did, counted. */
export interface EcommerceRunStats {
  readonly llmCalls: number;
  readonly tokens: number;
  readonly cacheHits: number;
  readonly tools: ToolStats;
  readonly sideEffects: { readonly executed: number; readonly replayed: number };
  readonly restarts: number;
  readonly healed: number;
  readonly escalations: number;
  readonly fallbacks: number;
  readonly handoffRejections: number;
  readonly checkpointsSaved: number;
  readonly corruptCheckpoints: number;
}

/** The outcome of one run. */
export interface EcommerceRunResult extends WorkflowRunResult {
  readonly runId: string;
  /** The run's seed (`random.seed`): replay the run with `createRandom(seed)`. */
  readonly seed: string;
  readonly resilience: boolean;
  readonly status: 'completed' | 'failed';
  /**
   * The run failed with an error nothing handled: every failure without resilience. With
   * resilience a failure ends gracefully, with a clear error, and this is false.
   */
  readonly crashed: boolean;
  /** Completed, but a fallback answered somewhere (template description or campaign). */
  readonly degraded: boolean;
  readonly output: ScheduledCampaign | undefined;
  /** The top-level error (for a failed step: which step and why). */
  readonly error: AgentErrorSummary | undefined;
  /** The innermost error, e.g. the tool's `ToolUnavailableError`. */
  readonly rootError: AgentErrorSummary | undefined;
  /** The agent that failed (`product` or `marketing`), when one did. */
  readonly failedAgent: string | undefined;
  readonly steps: { readonly product: StepStatus; readonly marketing: StepStatus };
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly durationMs: number;
  readonly stats: EcommerceRunStats;
  /** Every agent event, in order. */
  readonly events: readonly AgentEvent[];
  /** The events as JSON lines without absolute times: identical for a replay of the seed. */
  journal(): string;
}

/** The reference multi-agent system. */
export interface EcommerceWorkflow extends Workflow<ProductInput, EcommerceRunResult> {
  readonly resilience: boolean;
  readonly settings: ResilienceSettings;
  readonly model: LanguageModel;
  readonly runDir: string | undefined;
  /**
   * Tracks the real I/O of every run (file mode, or stores and backends given in the context):
   * drive a `VirtualClock` with `driveVirtualTime(clock, run, workflow.io)` so that time never
   * moves while a file is being written.
   */
  readonly io: IoGate;
  /**
   * Puts `input` on sale: the orchestrator runs the product agent, hands its listing to the
   * marketing agent, and reports. Never rejects (except for invalid context options); runs
   * are independent and may run concurrently on one clock.
   */
  run(input: ProductInput, context?: EcommerceRunContext): Promise<EcommerceRunResult>;
}

function stepStatus(events: readonly AgentEvent[], path: string): StepStatus {
  let status: StepStatus = 'not-run';
  for (const e of events) {
    if (e.agent !== path) continue;
    if (e.type === 'agent-completed') status = 'completed';
    else if (e.type === 'agent-skipped') status = 'skipped';
    else if (e.type === 'agent-failed') status = 'failed';
  }
  return status;
}

function settingsOf(given: Partial<ResilienceSettings> | undefined): ResilienceSettings {
  const owner = 'createEcommerceWorkflow';
  if (given === undefined) return defaultResilienceSettings;
  assertRecord(owner, 'settings', given);
  const merged = { ...defaultResilienceSettings, ...given };
  for (const key of [
    'llmAttempts',
    'toolAttempts',
    'handoffAttempts',
    'maxRepeats',
    'breakerThreshold',
    'storeAttempts',
  ] as const) {
    assertInteger(owner, `settings.${key}`, merged[key], 1);
  }
  assertInteger(owner, 'settings.maxRestarts', merged.maxRestarts, 0);
  for (const key of [
    'llmTimeoutMs',
    'toolTimeoutMs',
    'agentTimeoutMs',
    'breakerResetMs',
  ] as const) {
    assertPositiveNumber(owner, `settings.${key}`, merged[key]);
  }
  assertNonNegativeNumber(owner, 'settings.restartDelayMs', merged.restartDelayMs);
  assertNonNegativeNumber(owner, 'settings.tokenBudget', merged.tokenBudget);
  return merged;
}

/**
 * Creates the e-commerce workflow: an orchestrator (a `sequential` composition) running a
 * product agent and a marketing agent. Offline and deterministic: a scripted LLM and tools
 * whose latency is simulated on the run's clock, randomness from the run's seed.
 *
 * Fault injection reaches every moving part through injection sites (use them in a chaos
 * config's `target`; each names its `agent`, product or marketing): `agent:product`,
 * `agent:marketing` (crash at N% progress fires from the agents' progress reports);
 * `llm:<task>` for one attempt of `describe-product`, `draft-campaign`, `review-campaign` or
 * `revise-campaign` (its value is the parsed answer, e.g. `{ verdict, notes }`), around
 * `llm.generate` (the raw model call); `tool:upload-image`, `tool:publish-product`,
 * `tool:schedule-campaign` (with `tool`); `handoff:product->marketing`; and, with
 * `storageFaults`, `checkpoint.read` and `checkpoint.write`.
 *
 * @example
 * ```ts
 * const workflow = createEcommerceWorkflow();
 * const clock = new VirtualClock();
 * const random = createRandom('run-1');
 * const result = await clock.run(
 *   chaos.run({ enabled: true, seed: 'run-1', clock, failureRate: 0.3, types: ['network'] }, () =>
 *     workflow.run(sampleProductInput(random.fork('input')), { clock, random }),
 *   ),
 * );
 * ```
 */
export function createEcommerceWorkflow(options: EcommerceWorkflowOptions = {}): EcommerceWorkflow {
  const owner = 'createEcommerceWorkflow';
  assertRecord(owner, 'options', options);
  const resilience = options.resilience ?? true;
  if (typeof resilience !== 'boolean') invalidOption(owner, 'resilience', resilience, 'a boolean');
  const settings = settingsOf(options.settings);
  const model = options.model ?? new ScriptedLanguageModel();
  if (typeof (model as Partial<LanguageModel> | undefined)?.generate !== 'function') {
    invalidOption(owner, 'model', model, 'a LanguageModel ({ id, generate })');
  }
  const runDir = options.runDir;
  if (runDir !== undefined && (typeof runDir !== 'string' || runDir === '')) {
    invalidOption(owner, 'runDir', runDir, 'a directory path');
  }
  const storageFaults = options.storageFaults ?? false;
  if (typeof storageFaults !== 'boolean') {
    invalidOption(owner, 'storageFaults', storageFaults, 'a boolean');
  }
  const io = new IoGate();
  const toolLatencyMs = assertNonNegativeNumber(
    owner,
    'toolLatencyMs',
    options.toolLatencyMs ?? 80,
  );

  async function run(
    input: ProductInput,
    context: EcommerceRunContext = {},
  ): Promise<EcommerceRunResult> {
    const clock = context.clock ?? realClock;
    const random = context.random ?? randomSeeded();
    const runId = context.runId ?? `ecommerce-${random.seed}`;
    const deadlineMs = assertPositiveNumber(
      'EcommerceWorkflow.run',
      'deadlineMs',
      context.deadlineMs ?? 3_600_000,
    );
    // Memory backends do no I/O; everything else is tracked for `driveVirtualTime`.
    const backend =
      context.tools !== undefined
        ? io.backend(context.tools)
        : runDir === undefined
          ? new MemoryToolBackend()
          : io.backend(new FileToolBackend(join(runDir, 'tools')));
    const baseStore =
      context.checkpoints !== undefined
        ? io.store(context.checkpoints)
        : runDir === undefined
          ? new MemoryCheckpointStore({ sites: storageFaults })
          : io.store(
              new FileCheckpointStore({ dir: join(runDir, 'checkpoints'), sites: storageFaults }),
            );
    const tools = new EcommerceTools({
      backend,
      runId,
      clock,
      random: random.fork('tools'),
      latencyMs: toolLatencyMs,
    });
    const kit = new ResilienceKit({
      resilience,
      model,
      tools,
      settings,
      clock,
      random: random.fork('policies'),
    });
    const orchestrator = sequential<ProductInput, ScheduledCampaign>(
      'orchestrator',
      [kit.agent(createProductAgent(kit)), kit.agent(createMarketingAgent(kit))],
      kit.handoffPolicy === undefined ? {} : { handoff: kit.handoffPolicy },
    );
    const { controller, dispose } = linkedController(context.signal);
    const deadline = clock.setTimer(deadlineMs, () => {
      controller.abort(
        new TimeoutError(`workflow deadline of ${deadlineMs} ms exceeded`, deadlineMs),
      );
    });
    const result = await runAgent(orchestrator, input, {
      runId,
      clock,
      random,
      signal: controller.signal,
      checkpoints: kit.store(baseStore),
      messageType: 'product.submitted',
      ...(context.checkpointIntervalMs === undefined
        ? {}
        : { checkpointIntervalMs: context.checkpointIntervalMs }),
      ...(context.onEvent === undefined ? {} : { onEvent: context.onEvent }),
    }).finally(() => {
      clock.clearTimer(deadline);
      dispose();
    });

    const events = result.events;
    const count = (type: AgentEvent['type']): number =>
      events.filter((e) => e.type === type).length;
    const sideEffects = { executed: 0, replayed: 0 };
    for (const e of events) if (e.type === 'side-effect') sideEffects[e.outcome]++;
    const output = result.output?.payload;
    const failed = result.status === 'failed';
    return {
      runId,
      seed: random.seed,
      resilience,
      status: result.status,
      crashed: failed && !resilience,
      degraded:
        output !== undefined && (output.source !== 'llm' || output.descriptionSource !== 'llm'),
      output,
      error: result.errorSummary,
      rootError: failed ? summarizeError(rootCause(result.error)) : undefined,
      failedAgent: isAgentStepError(result.error) ? result.error.agent : undefined,
      steps: {
        product: stepStatus(events, 'orchestrator/product'),
        marketing: stepStatus(events, 'orchestrator/marketing'),
      },
      startedAt: result.startedAt,
      finishedAt: result.finishedAt,
      durationMs: result.durationMs,
      stats: {
        llmCalls: kit.counters.llmCalls,
        tokens: kit.counters.tokens,
        cacheHits: kit.counters.cacheHits,
        tools: tools.stats,
        sideEffects,
        restarts: count('supervisor-restart'),
        healed: count('supervisor-healed'),
        escalations: count('supervisor-escalated'),
        fallbacks: kit.counters.fallbacks,
        handoffRejections: count('handoff-rejected'),
        checkpointsSaved: count('checkpoint-saved'),
        corruptCheckpoints: count('checkpoint-corrupt'),
      },
      events,
      journal: () => events.map((e) => JSON.stringify({ ...e, time: undefined })).join('\n'),
    };
  }

  return { resilience, settings, model, runDir, io, run };
}
