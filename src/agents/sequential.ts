import { abortReason, assertRecord, invalidOption } from '../core/index.ts';
import type { Policy } from '../policies/index.ts';
import { internalContext } from './agent-context.ts';
import { summarizeError } from './error-summary.ts';
import { AgentStepError } from './errors/agent-step-error.ts';
import { deliver } from './handoff.ts';
import { markComposite } from './invoke.ts';
import { validateHandoff, type AgentMessage } from './message.ts';
import type { Agent, AgentContext } from './types.ts';

/** Options of {@link sequential}. */
export interface SequentialOptions {
  /**
   * A policy run around each hand-off between steps, e.g. `retry({ maxAttempts: 3 })`: a
   * rejected (corrupted) hand-off is delivered again, from the sender's checkpointed output.
   * @default undefined (a rejected hand-off fails the sequence)
   */
  readonly handoff?: Policy;
}

/** Checks the agents of a composition: at least `min`, each an agent, names unique. @internal */
export function checkAgents(
  owner: string,
  option: string,
  agents: unknown,
  min: number,
): readonly Agent[] {
  if (!Array.isArray(agents) || agents.length < min) {
    invalidOption(owner, option, agents, `an array of at least ${min} agent(s)`);
  }
  const names = new Set<string>();
  agents.forEach((agent: unknown, i) => {
    const a = agent as Partial<Agent> | null;
    if (
      typeof a !== 'object' ||
      a === null ||
      typeof a.name !== 'string' ||
      a.name === '' ||
      a.name.includes('/') ||
      typeof a.process !== 'function'
    ) {
      invalidOption(owner, `${option}[${i}]`, agent, 'an Agent with a name (no "/") and process()');
    }
    if (names.has(a.name)) invalidOption(owner, `${option}[${i}].name`, a.name, 'a unique name');
    names.add(a.name);
  });
  return agents as readonly Agent[];
}

/** Checks a composition's own name. @internal */
export function checkName(owner: string, name: unknown): string {
  if (typeof name !== 'string' || name === '' || name.includes('/')) {
    invalidOption(owner, 'name', name, 'a non-empty name without "/"');
  }
  return name;
}

/**
 * Runs agents one after another, each getting the previous one's output (validated against its
 * `input` schema on hand-off). Stops at the first failure (fail-fast) with an
 * {@link AgentStepError} that says which step failed, in which phase, and carries the outputs
 * completed before it. Each completed step is checkpointed, so running the sequence again in
 * the same run (after a crash, or with the same `runId` later) skips the steps already done.
 *
 * @example
 * ```ts
 * const pipeline = sequential('orchestrator', [productAgent, marketingAgent], {
 *   handoff: retry({ maxAttempts: 3, clock, random }),
 * });
 * ```
 */
export function sequential<I = unknown, O = unknown>(
  name: string,
  steps: readonly Agent[],
  options: SequentialOptions = {},
): Agent<I, O> {
  const owner = 'sequential';
  checkName(owner, name);
  const agents = checkAgents(owner, 'steps', steps, 1).slice();
  assertRecord(owner, 'options', options);
  const handoffPolicy = options.handoff;
  if (handoffPolicy !== undefined && typeof handoffPolicy.execute !== 'function') {
    invalidOption(owner, 'handoff', handoffPolicy, 'a Policy');
  }
  const first = agents[0] as Agent<I>;
  const agent: Agent<I, O> = {
    name,
    ...(first.input === undefined ? {} : { input: first.input }),
    async process(message: AgentMessage<I>, context: AgentContext): Promise<AgentMessage<O>> {
      const ctx = internalContext(context, `${name}.process`);
      const outputs: AgentMessage[] = [];
      let current: AgentMessage = message;
      for (let i = 0; i < agents.length; i++) {
        const step = agents[i] as Agent;
        if (ctx.signal.aborted) throw abortReason(ctx.signal);
        try {
          if (i > 0) {
            current = await deliver(ctx, agents[i - 1] as Agent, step, current, handoffPolicy);
          } else if (step.input !== undefined) {
            current = validateHandoff(current, { from: current.from, to: step.name }, step.input);
          }
        } catch (error) {
          throw fail(ctx, i, step.name, 'handoff', outputs, error);
        }
        try {
          current = await ctx.invoke(step, current);
        } catch (error) {
          throw fail(ctx, i, step.name, 'process', outputs, error);
        }
        outputs.push(current);
      }
      return current as AgentMessage<O>;
    },
  };
  function fail(
    ctx: ReturnType<typeof internalContext>,
    step: number,
    stepAgent: string,
    phase: 'handoff' | 'process',
    outputs: readonly AgentMessage[],
    error: unknown,
  ): unknown {
    if (ctx.signal.aborted && error === ctx.signal.reason) return error;
    ctx.emit({ type: 'step-failed', step, stepAgent, phase, error: summarizeError(error) });
    return new AgentStepError(name, step, stepAgent, phase, outputs.slice(), error);
  }
  return markComposite(agent);
}
