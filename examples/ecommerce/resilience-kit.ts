import {
  budgetGuard,
  bulkhead,
  chaos,
  circuitBreaker,
  constant,
  consecutiveFailures,
  defaultErrorClassifier,
  defaultShouldRetry,
  exponential,
  fallback,
  fullJitter,
  isAbortError,
  loopGuard,
  retry,
  timeout,
  wrap,
  type CircuitBreaker,
  type Clock,
  type LoopGuard,
  type Policy,
  type Random,
  type Schedule,
} from '../../src/index.ts';
import {
  defaultShouldRestart,
  rootCause,
  Supervisor,
  withPolicies,
  withStorePolicy,
  type Agent,
  type AgentContext,
  type CheckpointStore,
} from '../../src/agents/index.ts';
import type { z } from 'zod';
import {
  isInvalidProductError,
  isToolUnavailableError,
  ToolOutputError,
  ToolUnavailableError,
} from './errors.ts';
import type { GenerateRequest, GenerateResult, LanguageModel } from './llm.ts';

/** Model failures worth another attempt: not an exhausted quota, bad credentials or an oversized prompt. */
function isRetryableModelFailure(error: unknown): boolean {
  const kind = defaultErrorClassifier(error);
  return kind !== 'auth' && kind !== 'contextLength' && defaultShouldRetry(error);
}
import type { Answer } from './prompts.ts';
import type { EcommerceTools, ToolName } from './tools.ts';

/**
 * Whole milliseconds: with fractional delays, times computed from different clock starts differ
 * in their last bits, and a replay's journal would not match byte for byte.
 */
function whole(schedule: Schedule): Schedule {
  return (input) => {
    const delay = schedule(input);
    return delay === undefined ? undefined : Math.round(delay);
  };
}

/** The knobs of the example's resilience. */
export interface ResilienceSettings {
  /** Attempts per LLM call (first included). @default 3 */
  readonly llmAttempts: number;
  /** Deadline of each LLM attempt. @default 30_000 */
  readonly llmTimeoutMs: number;
  /** Attempts per tool call: 4 = 3 retries with exponential backoff. @default 4 */
  readonly toolAttempts: number;
  /** Deadline of each tool attempt (how fast a dead tool is detected). @default 10_000 */
  readonly toolTimeoutMs: number;
  /** Deliveries of a rejected hand-off. @default 4 */
  readonly handoffAttempts: number;
  /** Deadline of one hand-off delivery. @default 5_000 */
  readonly handoffTimeoutMs: number;
  /**
   * Deadline of one attempt of a whole agent (how fast a hung agent is detected; above the
   * few seconds an agent normally takes, so a slow agent is not declared dead).
   * @default 120_000
   */
  readonly agentTimeoutMs: number;
  /** Supervisor restarts per agent call (and failed healings before escalation). @default 3 */
  readonly maxRestarts: number;
  /** Wait before a supervisor restart. @default 1_000 */
  readonly restartDelayMs: number;
  /** Tokens one run may spend. @default 20_000 */
  readonly tokenBudget: number;
  /** Times the same review may repeat before the loop guard stops it. @default 10 */
  readonly maxRepeats: number;
  /** Consecutive failures that open a breaker. @default 5 */
  readonly breakerThreshold: number;
  /** How long an open breaker waits before probing. @default 30_000 */
  readonly breakerResetMs: number;
  /** Attempts per checkpoint save or load. @default 5 */
  readonly storeAttempts: number;
}

/** Each agent's compartment: calls at once and calls waiting. */
export const agentBulkhead = { maxConcurrent: 2, maxQueued: 8 } as const;

/** Each tool's compartment: calls at once and calls waiting. */
export const toolBulkhead = { maxConcurrent: 4, maxQueued: 16 } as const;

/** The defaults of {@link ResilienceSettings}. */
export const defaultResilienceSettings: ResilienceSettings = {
  llmAttempts: 3,
  llmTimeoutMs: 30_000,
  toolAttempts: 4,
  toolTimeoutMs: 10_000,
  handoffAttempts: 4,
  handoffTimeoutMs: 5_000,
  agentTimeoutMs: 120_000,
  maxRestarts: 3,
  restartDelayMs: 1_000,
  tokenBudget: 20_000,
  maxRepeats: 10,
  breakerThreshold: 5,
  breakerResetMs: 30_000,
  storeAttempts: 5,
};

/** What one run counted. */
export interface KitCounters {
  llmCalls: number;
  tokens: number;
  cacheHits: number;
  fallbacks: number;
}

/**
 * Everything one run of the workflow uses to reach its model and tools: with resilience, each
 * call goes through real faultline policies (built fresh per run, so runs never share a
 * breaker or a budget and each replays from its seed); without, straight through. Either way
 * every call is an injection site: `llm.generate`, `tool:<name>`.
 */
export class ResilienceKit {
  readonly resilience: boolean;
  readonly model: LanguageModel;
  readonly tools: EcommerceTools;
  readonly settings: ResilienceSettings;
  readonly counters: KitCounters = { llmCalls: 0, tokens: 0, cacheHits: 0, fallbacks: 0 };
  /** Stops the marketing review from looping (resilience only). */
  readonly loopGuard: LoopGuard | undefined;
  /** Re-delivers rejected hand-offs (resilience only). */
  readonly handoffPolicy: Policy | undefined;
  /** Restarts crashed agents (resilience only). */
  readonly supervisor: Supervisor | undefined;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #cache = new Map<string, unknown>();
  readonly #breakers = new Map<string, CircuitBreaker>();
  readonly #llm:
    { readonly retry: Policy; readonly perAttempt: Policy; readonly budget: Policy } | undefined;
  readonly #toolStacks = new Map<ToolName, Policy>();

  constructor(options: {
    readonly resilience: boolean;
    readonly model: LanguageModel;
    readonly tools: EcommerceTools;
    readonly settings: ResilienceSettings;
    readonly clock: Clock;
    readonly random: Random;
  }) {
    this.resilience = options.resilience;
    this.model = options.model;
    this.tools = options.tools;
    this.settings = options.settings;
    this.#clock = options.clock;
    this.#random = options.random;
    if (!this.resilience) {
      this.loopGuard = undefined;
      this.handoffPolicy = undefined;
      this.supervisor = undefined;
      this.#llm = undefined;
      return;
    }
    const { clock, random } = this;
    const s = this.settings;
    this.loopGuard = loopGuard({ name: 'review-loop-guard', maxRepeats: s.maxRepeats, clock });
    this.handoffPolicy = wrap(
      retry({
        name: 'handoff-retry',
        maxAttempts: s.handoffAttempts,
        schedule: constant(100),
        clock,
        random: random.fork('retry:handoff'),
      }),
      timeout({ name: 'handoff-timeout', ms: s.handoffTimeoutMs, clock }),
    );
    this.#llm = {
      retry: retry({
        name: 'llm-retry',
        maxAttempts: s.llmAttempts,
        shouldRetry: isRetryableModelFailure,
        schedule: whole(fullJitter(exponential({ initialDelayMs: 2_000, maxDelayMs: 20_000 }))),
        clock,
        random: random.fork('retry:llm'),
      }),
      perAttempt: wrap(
        this.#breaker('llm'),
        timeout({ name: 'llm-timeout', ms: s.llmTimeoutMs, clock }),
      ),
      budget: budgetGuard<GenerateResult>({
        name: 'token-budget',
        maxTokens: s.tokenBudget,
        usage: (result) => ({ tokens: result.usage.totalTokens }),
      }),
    };
    this.supervisor = new Supervisor({
      name: 'ecommerce-supervisor',
      maxRestarts: s.maxRestarts,
      escalateAfter: s.maxRestarts,
      restartDelayMs: s.restartDelayMs,
      shouldRestart: (error) => {
        const root = rootCause(error);
        return (
          defaultShouldRestart(error) &&
          !isToolUnavailableError(root) &&
          !isInvalidProductError(root)
        );
      },
      recoveryActions: [
        {
          name: 'clear-llm-cache',
          run: () => {
            this.#cache.clear();
          },
        },
        {
          name: 'reset-breakers',
          run: () => {
            for (const breaker of this.#breakers.values()) breaker.close();
          },
        },
      ],
    });
  }

  get clock(): Clock {
    return this.#clock;
  }

  get random(): Random {
    return this.#random;
  }

  #breaker(name: string): CircuitBreaker {
    let breaker = this.#breakers.get(name);
    if (breaker === undefined) {
      breaker = circuitBreaker({
        name: `${name}-breaker`,
        strategy: consecutiveFailures({ threshold: this.settings.breakerThreshold }),
        resetTimeout: this.settings.breakerResetMs,
        clock: this.#clock,
        random: this.#random.fork(`breaker:${name}`),
      });
      this.#breakers.set(name, breaker);
    }
    return breaker;
  }

  /** Wraps the run's checkpoint store in a retry (resilience only). */
  store(base: CheckpointStore): CheckpointStore {
    if (!this.resilience) return base;
    return withStorePolicy(
      base,
      retry({
        name: 'checkpoint-retry',
        maxAttempts: this.settings.storeAttempts,
        schedule: constant(50),
        clock: this.#clock,
        random: this.#random.fork('retry:checkpoint'),
      }),
    );
  }

  /**
   * Gives an agent its resilience: a supervisor (restart from checkpoint, recovery actions,
   * escalation) around its own bulkhead and timeout. Without resilience: the agent as is.
   */
  agent<I, O>(agent: Agent<I, O>): Agent<I, O> {
    if (this.supervisor === undefined) return agent;
    const clock = this.#clock;
    return this.supervisor.supervise(
      withPolicies(
        agent,
        bulkhead({ name: `${agent.name}-bulkhead`, ...agentBulkhead, clock }),
        timeout({ name: `${agent.name}-timeout`, ms: this.settings.agentTimeoutMs, clock }),
      ),
    );
  }

  #call(agent: string, request: GenerateRequest, context: AgentContext, signal: AbortSignal) {
    this.counters.llmCalls++;
    const random = context.random.fork(`llm:${this.counters.llmCalls}`);
    return chaos.execute(
      { operation: 'llm.generate', agent },
      () => this.model.generate(request, { signal, clock: this.#clock, random }),
      { signal },
    );
  }

  /**
   * Asks the model for `request.task` and reads the answer. Each attempt is the injection site
   * `llm:<task>` (its value: the parsed answer, checked again after any fault), around the
   * raw model call, the site `llm.generate`. A bad answer is a failed attempt. With
   * resilience: a per-run cache of drafts (cleared by the supervisor's recovery action), then
   * retry → breaker → timeout → [task site → token budget → model] per attempt.
   */
  async generate<T>(
    agent: string,
    request: GenerateRequest,
    context: AgentContext,
    answer: Answer<T>,
  ): Promise<T> {
    const site = { operation: `llm:${request.task}`, agent };
    const llm = this.#llm;
    const attempt = async (signal: AbortSignal): Promise<T> => {
      const value: unknown = await chaos.execute(
        site,
        async () => {
          const result =
            llm === undefined
              ? await this.#call(agent, request, context, signal)
              : await llm.budget.execute(() => this.#call(agent, request, context, signal));
          this.counters.tokens += result.usage.totalTokens;
          return answer.parse(result.text);
        },
        { signal },
      );
      return answer.check(value);
    };
    if (llm === undefined) return attempt(context.signal);
    // Drafts only: a cached review or revision would hide a loop from the loop guard.
    const cacheable = request.task === 'describe-product' || request.task === 'draft-campaign';
    const key = `${request.task}\n${request.prompt}`;
    if (cacheable && this.#cache.has(key)) {
      this.counters.cacheHits++;
      return this.#cache.get(key) as T;
    }
    const value = await llm.retry.execute(
      ({ signal }) => llm.perAttempt.execute((inner) => attempt(inner.signal), signal),
      context.signal,
    );
    if (cacheable) this.#cache.set(key, value);
    return value;
  }

  /**
   * {@link generate}, falling back to `alternative` when it fails for good (with resilience;
   * without, the failure propagates). Reports the fallback in the run's journal.
   */
  async generateOr<T>(
    agent: string,
    request: GenerateRequest,
    context: AgentContext,
    answer: Answer<T>,
    alternative: () => T,
  ): Promise<{ readonly value: T; readonly fellBack: boolean }> {
    if (!this.resilience)
      return { value: await this.generate(agent, request, context, answer), fellBack: false };
    return this.orElse(
      `${agent}:${request.task}`,
      context,
      () => this.generate(agent, request, context, answer),
      alternative,
    );
  }

  /** Runs `work`; with resilience, answers with `alternative` when it fails (not on abort). */
  async orElse<T>(
    name: string,
    context: AgentContext,
    work: () => Promise<T>,
    alternative: () => T,
  ): Promise<{ readonly value: T; readonly fellBack: boolean }> {
    if (!this.resilience) return { value: await work(), fellBack: false };
    const policy = fallback<T>(() => alternative(), {
      name: `${name}-fallback`,
      shouldHandle: (error) => !isAbortError(error) && !context.signal.aborted,
    });
    const report = await policy.executeWithReport(() => work(), context.signal);
    if (report.index > 0) {
      this.counters.fallbacks++;
      const reason = report.reasons[0];
      context.report(`fallback: ${name}`, {
        reason: reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason),
      });
    }
    return { value: report.value, fellBack: report.index > 0 };
  }

  /**
   * Calls a tool and checks its answer against `schema` (a damaged answer is a failed attempt,
   * never recorded as the side effect's result). With resilience: bulkhead → retry (exponential
   * backoff) → breaker per tool → timeout, and a final failure becomes a clear
   * {@link ToolUnavailableError}.
   */
  async tool<T>(
    agent: string,
    tool: ToolName,
    context: AgentContext,
    call: (signal: AbortSignal) => Promise<T>,
    schema: z.ZodType<T>,
  ): Promise<T> {
    const site = { operation: `tool:${tool}`, tool, agent };
    const once = async (signal: AbortSignal): Promise<T> => {
      const answer: unknown = await chaos.execute(site, () => call(signal), { signal });
      const checked = schema.safeParse(answer);
      if (checked.success) return checked.data;
      const issue = checked.error.issues[0];
      throw new ToolOutputError(
        `tool '${tool}' answered with a damaged result: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
      );
    };
    if (!this.resilience) return once(context.signal);
    let attempts = 0;
    try {
      return await this.#toolStack(tool).execute(({ signal }) => {
        attempts++;
        return once(signal);
      }, context.signal);
    } catch (error) {
      if (context.signal.aborted || isAbortError(error)) throw error;
      throw new ToolUnavailableError(tool, attempts, error);
    }
  }

  #toolStack(tool: ToolName): Policy {
    let stack = this.#toolStacks.get(tool);
    if (stack === undefined) {
      const clock = this.#clock;
      stack = wrap(
        bulkhead({ name: `${tool}-bulkhead`, ...toolBulkhead, clock }),
        retry({
          name: `${tool}-retry`,
          maxAttempts: this.settings.toolAttempts,
          schedule: whole(fullJitter(exponential({ initialDelayMs: 1_000, maxDelayMs: 8_000 }))),
          clock,
          random: this.#random.fork(`retry:${tool}`),
        }),
        this.#breaker(tool),
        timeout({ name: `${tool}-timeout`, ms: this.settings.toolTimeoutMs, clock }),
      );
      this.#toolStacks.set(tool, stack);
    }
    return stack;
  }
}
