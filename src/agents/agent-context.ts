import { invalidOption, type Random } from '../core/index.ts';
import { reportProgress } from '../faults/index.ts';
import type { AgentEvent, AgentEventBase } from './agent-events.ts';
import type { Checkpoint, CheckpointLoad } from './checkpoint/types.ts';
import type { CheckpointCorruptError } from './errors/checkpoint-corrupt-error.ts';
import { invokeAgent } from './invoke.ts';
import type { AgentMessage } from './message.ts';
import { recordEvent, type RunRuntime } from './run-runtime.ts';
import type {
  Agent,
  AgentContext,
  CheckpointHandle,
  MessageOptions,
  SaveCheckpointOptions,
} from './types.ts';

/** An event without the fields the context fills in. @internal */
export type AgentEventInput = AgentEvent extends infer E
  ? E extends AgentEvent
    ? Omit<E, keyof AgentEventBase> & { readonly agent?: string }
    : never
  : never;

/** What one invocation of an agent keeps across its attempts. @internal */
interface InvocationState {
  progress: number | undefined;
  lastSaveAt: number;
  /** A load made by `invoke` before the agent ran, handed to the agent's first `load()`. */
  preloaded: CheckpointLoad | undefined;
}

interface CompletedRecord {
  readonly inputId: string;
  readonly output: AgentMessage;
}

function join(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}

/** The context implementation behind every `AgentContext`. @internal */
export class RunContext implements AgentContext {
  readonly runtime: RunRuntime;
  readonly agent: string;
  readonly name: string;
  readonly attempt: number;
  readonly #signalSource: { readonly signal: AbortSignal };
  readonly #state: InvocationState;
  #random: Random | undefined;
  #checkpoint: Handle | undefined;

  constructor(
    runtime: RunRuntime,
    agent: string,
    name: string,
    signalSource: { readonly signal: AbortSignal },
    attempt: number,
    state: InvocationState,
  ) {
    this.runtime = runtime;
    this.agent = agent;
    this.name = name;
    this.#signalSource = signalSource;
    this.attempt = attempt;
    this.#state = state;
  }

  /** The root context of a run (agent path `''`). */
  static root(runtime: RunRuntime, signal: AbortSignal): RunContext {
    return new RunContext(runtime, '', 'caller', { signal }, 1, {
      progress: undefined,
      lastSaveAt: runtime.startedAt,
      preloaded: undefined,
    });
  }

  get signal(): AbortSignal {
    return this.#signalSource.signal;
  }

  get clock(): RunRuntime['clock'] {
    return this.runtime.clock;
  }

  get runId(): string {
    return this.runtime.runId;
  }

  get random(): Random {
    return (this.#random ??= this.runtime.random.fork(this.agent === '' ? 'caller' : this.agent));
  }

  get checkpoint(): Handle {
    return (this.#checkpoint ??= new Handle(this, this.#state));
  }

  /** The context of a child agent, with a fresh invocation state. */
  child(name: string): RunContext {
    return new RunContext(this.runtime, join(this.agent, name), name, this.#signalSource, 1, {
      progress: undefined,
      lastSaveAt: this.runtime.clock.now(),
      preloaded: undefined,
    });
  }

  /**
   * The same agent and invocation under another signal and attempt number (what a policy hands
   * to each attempt). The source's `signal` is read lazily: a timeout builds its controller on
   * first read.
   */
  withAttempt(source: { readonly signal: AbortSignal; readonly attempt: number }): RunContext {
    const context = new RunContext(
      this.runtime,
      this.agent,
      this.name,
      source,
      source.attempt,
      this.#state,
    );
    context.#random = this.#random;
    context.#checkpoint = this.#checkpoint;
    return context;
  }

  /** Records an event of this agent (or of `event.agent`). */
  emit(event: AgentEventInput): void {
    const time = this.runtime.clock.now();
    // `type` first, so that journal lines read alike.
    const full: Record<string, unknown> = { type: event.type };
    full.runId = this.runtime.runId;
    full.agent = this.agent;
    full.time = time;
    full.elapsedMs = time - this.runtime.startedAt;
    recordEvent(this.runtime, Object.assign(full, event) as unknown as AgentEvent);
  }

  /** The invocation's last reported progress. */
  get lastProgress(): number | undefined {
    return this.#state.progress;
  }

  async sideEffect<T>(
    key: string,
    effect: (idempotencyKey: string) => T | PromiseLike<T>,
  ): Promise<T> {
    const outcome = await this.runtime.ledger.run(key, effect);
    this.emit({ type: 'side-effect', key, outcome: outcome.replayed ? 'replayed' : 'executed' });
    return outcome.value;
  }

  async progress(fraction: number, state?: unknown): Promise<void> {
    if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) {
      invalidOption(
        `${this.agent}: context.progress`,
        'fraction',
        fraction,
        'a number between 0 and 1',
      );
    }
    this.#state.progress = fraction;
    if (state !== undefined) await this.checkpoint.tick(state);
    reportProgress(fraction);
  }

  report(note: string, data?: unknown): void {
    this.emit(data === undefined ? { type: 'note', note } : { type: 'note', note, data });
  }

  message<P>(type: string, payload: P, options: MessageOptions = {}): AgentMessage<P> {
    const runtime = this.runtime;
    return {
      id: `${runtime.runId}:m${++runtime.messages}`,
      type,
      from: this.name,
      to: options.to ?? 'caller',
      runId: runtime.runId,
      createdAt: runtime.clock.now(),
      ...(options.correlationId === undefined ? {} : { correlationId: options.correlationId }),
      ...(options.meta === undefined ? {} : { meta: options.meta }),
      payload,
    };
  }

  invoke<I, O>(agent: Agent<I, O>, message: AgentMessage<I>): Promise<AgentMessage<O>> {
    return invokeAgent(agent, message, this);
  }
}

/** The checkpoint handle of one agent invocation. @internal */
export class Handle implements CheckpointHandle {
  readonly key: string;
  readonly #context: RunContext;
  readonly #state: InvocationState;

  constructor(context: RunContext, state: InvocationState) {
    this.key = context.agent;
    this.#context = context;
    this.#state = state;
  }

  #reportCorrupt(corrupt: readonly CheckpointCorruptError[]): void {
    for (const error of corrupt) {
      this.#context.emit({
        type: 'checkpoint-corrupt',
        key: error.key,
        seq: error.seq,
        detail: error.detail,
      });
    }
  }

  async #load(key: string): Promise<CheckpointLoad> {
    const runtime = this.#context.runtime;
    const result = await runtime.store.load(runtime.runId, key);
    this.#reportCorrupt(result.corrupt);
    return result;
  }

  #restored(result: CheckpointLoad, peer: boolean): void {
    const checkpoint = result.checkpoint;
    if (checkpoint === undefined) return;
    this.#context.emit({
      type: 'checkpoint-restored',
      key: checkpoint.key,
      seq: checkpoint.seq,
      reason: checkpoint.reason,
      progress: checkpoint.progress,
      skippedCorrupt: result.corrupt.length,
      peer,
    });
  }

  async load<S = unknown>(): Promise<Checkpoint<S> | undefined> {
    let result = this.#state.preloaded;
    this.#state.preloaded = undefined;
    result ??= await this.#load(this.key);
    if (result.checkpoint === undefined || result.checkpoint.reason === 'completed') {
      return undefined;
    }
    this.#restored(result, false);
    if (this.#state.progress === undefined) this.#state.progress = result.checkpoint.progress;
    return result.checkpoint as Checkpoint<S>;
  }

  async latest(): Promise<Checkpoint | undefined> {
    const result = this.#state.preloaded ?? (await this.#load(this.key));
    return result.checkpoint;
  }

  async save<S>(state: S, options: SaveCheckpointOptions = {}): Promise<Checkpoint<S>> {
    return this.#save(state, options.reason ?? 'progress', options.label);
  }

  async #save<S>(
    state: S,
    reason: Checkpoint['reason'],
    label: string | undefined,
  ): Promise<Checkpoint<S>> {
    const context = this.#context;
    const runtime = context.runtime;
    const progress = this.#state.progress;
    const checkpoint = await runtime.store.save({
      runId: runtime.runId,
      key: this.key,
      savedAt: runtime.clock.now(),
      reason,
      ...(progress === undefined ? {} : { progress }),
      ...(label === undefined ? {} : { label }),
      state,
    });
    this.#state.preloaded = undefined;
    this.#state.lastSaveAt = checkpoint.savedAt;
    context.emit({
      type: 'checkpoint-saved',
      key: this.key,
      seq: checkpoint.seq,
      reason,
      progress,
      label,
    });
    return checkpoint;
  }

  async beforeRisky<T>(label: string, state: unknown, operation: () => Promise<T>): Promise<T> {
    await this.#save(state, 'risky', label);
    return operation();
  }

  async tick(state: unknown): Promise<boolean> {
    const runtime = this.#context.runtime;
    if (runtime.clock.now() - this.#state.lastSaveAt < runtime.checkpointIntervalMs) return false;
    await this.#save(state, 'interval', undefined);
    return true;
  }

  async peer<S = unknown>(agent: string): Promise<Checkpoint<S> | undefined> {
    const key = agent.includes('/') ? agent : siblingPath(this.key, agent);
    const result = await this.#load(key);
    this.#restored(result, true);
    return result.checkpoint as Checkpoint<S> | undefined;
  }

  /**
   * Loads the latest checkpoint before the agent runs: returns the checkpointed output when it
   * records this very input as completed; otherwise keeps the load for the agent's first
   * `load()`.
   */
  async completedOutput(inputId: string): Promise<Checkpoint<CompletedRecord> | undefined> {
    const result = await this.#load(this.key);
    const checkpoint = result.checkpoint as Checkpoint<CompletedRecord> | undefined;
    if (checkpoint?.reason === 'completed' && checkpoint.state.inputId === inputId) {
      return checkpoint;
    }
    this.#state.preloaded = result;
    return undefined;
  }

  /** Saves an invocation's output as its `completed` checkpoint. */
  saveCompleted(inputId: string, output: AgentMessage): Promise<Checkpoint<CompletedRecord>> {
    return this.#save<CompletedRecord>({ inputId, output }, 'completed', undefined);
  }
}

function siblingPath(own: string, name: string): string {
  const slash = own.lastIndexOf('/');
  return slash < 0 ? name : `${own.slice(0, slash)}/${name}`;
}

/** The faultline context behind `context`, or a clear error for a hand-made one. @internal */
export function internalContext(context: AgentContext, owner: string): RunContext {
  if (context instanceof RunContext) return context;
  return invalidOption(
    owner,
    'context',
    context,
    'a context created by runAgent (or passed down by a composition)',
  );
}
