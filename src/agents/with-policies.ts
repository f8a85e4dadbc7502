import { invalidOption } from '../core/index.ts';
import { wrap, type Policy } from '../policies/index.ts';
import { internalContext } from './agent-context.ts';
import { callAgent, markComposite } from './invoke.ts';
import type { AgentMessage } from './message.ts';
import type { Agent, AgentContext } from './types.ts';

/**
 * Gives one agent its own resilience: a bulkhead (its own concurrency, so a flood of work for
 * one agent cannot starve another), a timeout, a retry, a breaker... composed with `wrap`
 * (first policy outermost). Each attempt is a fresh call of the agent with the attempt's
 * signal; a retried agent resumes from its own checkpoints. The agent keeps its name and
 * schemas.
 *
 * @example
 * ```ts
 * const product = withPolicies(
 *   productAgent,
 *   bulkhead({ maxConcurrent: 4, maxQueued: 16, clock }),
 *   retry({ maxAttempts: 3, clock, random }),
 *   timeout({ ms: 120_000, clock }),
 * );
 * ```
 */
export function withPolicies<I, O>(agent: Agent<I, O>, ...policies: Policy[]): Agent<I, O> {
  const owner = 'withPolicies';
  if (typeof (agent as Partial<Agent> | null)?.process !== 'function') {
    invalidOption(owner, 'agent', agent, 'an Agent ({ name, process })');
  }
  if (policies.length === 0) invalidOption(owner, 'policies', policies, 'at least one Policy');
  policies.forEach((p, i) => {
    if (typeof (p as Partial<Policy> | undefined)?.execute !== 'function') {
      invalidOption(owner, `policies[${i}]`, p, 'a Policy');
    }
  });
  const policy = wrap(...policies);
  const wrapped: Agent<I, O> = {
    name: agent.name,
    ...(agent.input === undefined ? {} : { input: agent.input }),
    ...(agent.output === undefined ? {} : { output: agent.output }),
    process(message: AgentMessage<I>, context: AgentContext): Promise<AgentMessage<O>> {
      const ctx = internalContext(context, `${agent.name}.process`);
      return policy.execute(
        (attempt) => callAgent(agent, message, ctx.withAttempt(attempt)),
        ctx.signal,
      );
    },
  };
  return markComposite(wrapped);
}
