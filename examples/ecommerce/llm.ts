import { assertNonNegativeNumber, type Clock, type Random } from '../../src/index.ts';

/** One request to a language model. */
export interface GenerateRequest {
  /** What is asked (`describe-product`, `draft-campaign`, `review-campaign`, `revise-campaign`). */
  readonly task: string;
  /** The prompt, as a real model would get it. */
  readonly prompt: string;
  /** Structured facts behind the prompt (a scripted model answers from these). */
  readonly facts: Readonly<Record<string, unknown>>;
}

/** A model's answer. */
export interface GenerateResult {
  readonly text: string;
  readonly model: string;
  readonly usage: {
    readonly inputTokens: number;
    readonly outputTokens: number;
    readonly totalTokens: number;
  };
}

/** What each call gets: cancellation, and the run's clock and randomness. */
export interface GenerateOptions {
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly random: Random;
}

/**
 * The LLM as the agents see it. Swap the scripted model for a real one (an AI SDK model, an
 * OpenAI client) by implementing `generate`; a real model ignores `clock` and `random`.
 */
export interface LanguageModel {
  readonly id: string;
  generate(request: GenerateRequest, options: GenerateOptions): Promise<GenerateResult>;
}

/** Options of {@link ScriptedLanguageModel}. */
export interface ScriptedLanguageModelOptions {
  /** @default 'scripted-1' */
  readonly id?: string;
  /**
   * Base latency of a call, in milliseconds of the run's clock.
   * @default 800
   */
  readonly latencyMs?: number;
  /**
   * Extra latency per output token.
   * @default 8
   */
  readonly msPerToken?: number;
  /**
   * Uniform random extra latency, drawn from the call's random stream.
   * @default 200
   */
  readonly jitterMs?: number;
  /**
   * Replaces the answer of a task, e.g. `{ 'review-campaign': () => '{"verdict":"revise",...}' }`
   * to make the marketing agent loop.
   * @default {}
   */
  readonly script?: Readonly<Record<string, (request: GenerateRequest) => string>>;
}

const tokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

function str(facts: Readonly<Record<string, unknown>>, key: string): string {
  const value = facts[key];
  return typeof value === 'string' ? value : '';
}

function strings(facts: Readonly<Record<string, unknown>>, key: string): string[] {
  const value = facts[key];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

const answers: Readonly<Record<string, (facts: Readonly<Record<string, unknown>>) => string>> = {
  'describe-product': (f) =>
    `${str(f, 'name')} brings ${list(strings(f, 'features').map((x) => x.toLowerCase()))} to your ${str(f, 'category').toLowerCase()} routine. ` +
    `Built to last and easy to love, it is the ${str(f, 'category').toLowerCase()} upgrade that earns its place every day.`,
  'draft-campaign': (f) =>
    JSON.stringify({
      headline: `Meet ${str(f, 'name')}`,
      body: `${str(f, 'description').slice(0, 160)} Now available for ${str(f, 'price')}.`,
      channels: ['email', 'social'],
      callToAction: 'Shop now',
    }),
  'review-campaign': () =>
    JSON.stringify({ verdict: 'approve', notes: 'Clear, on brand, and the offer is visible.' }),
  'revise-campaign': (f) =>
    JSON.stringify({
      headline: `Introducing ${str(f, 'name')}`,
      body: `${str(f, 'description').slice(0, 150)} Yours for ${str(f, 'price')}.`,
      channels: ['email', 'social'],
      callToAction: 'Discover it',
    }),
};

/**
 * A deterministic, offline language model: answers each task from the request's facts, with
 * latency simulated on the run's clock (base + per token + seeded jitter) and token usage
 * counted from the text. No network, no weights; same facts, same answer.
 */
export class ScriptedLanguageModel implements LanguageModel {
  readonly id: string;
  readonly #latencyMs: number;
  readonly #msPerToken: number;
  readonly #jitterMs: number;
  readonly #script: Readonly<Record<string, (request: GenerateRequest) => string>>;

  constructor(options: ScriptedLanguageModelOptions = {}) {
    const owner = 'ScriptedLanguageModel';
    this.id = options.id ?? 'scripted-1';
    this.#latencyMs = assertNonNegativeNumber(owner, 'latencyMs', options.latencyMs ?? 800);
    this.#msPerToken = assertNonNegativeNumber(owner, 'msPerToken', options.msPerToken ?? 8);
    this.#jitterMs = assertNonNegativeNumber(owner, 'jitterMs', options.jitterMs ?? 200);
    this.#script = options.script ?? {};
  }

  async generate(request: GenerateRequest, options: GenerateOptions): Promise<GenerateResult> {
    const scripted = this.#script[request.task];
    const answer = answers[request.task];
    const text =
      scripted !== undefined
        ? scripted(request)
        : answer !== undefined
          ? answer(request.facts)
          : `I cannot help with ${request.task}.`;
    const outputTokens = tokens(text);
    const inputTokens = tokens(request.prompt);
    const jitter = this.#jitterMs > 0 ? options.random.float(0, this.#jitterMs) : 0;
    const latency = Math.round(this.#latencyMs + outputTokens * this.#msPerToken + jitter);
    await options.clock.sleep(latency, options.signal);
    return {
      text,
      model: this.id,
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
    };
  }
}
