import { assertFunction, assertRecord, isAbortError, type JsonValue } from '../core/index.ts';
import { internalContext } from './agent-context.ts';
import { summarizeError } from './error-summary.ts';
import { AllAgentsFailedError, type AgentFailure } from './errors/all-agents-failed-error.ts';
import { markComposite } from './invoke.ts';
import type { AgentMessage } from './message.ts';
import { checkAgents, checkName } from './sequential.ts';
import type { Agent, AgentContext } from './types.ts';

/** Options of {@link fallbackAgents}. */
export interface FallbackAgentsOptions {
  /**
   * Which failures move on to the next agent; others are rethrown at once. An abort of the
   * run's signal always is.
   * @default every error
   */
  readonly shouldHandle?: (error: unknown) => boolean;
}

/**
 * Tries a primary agent, then each backup in turn, until one answers. Each switch is reported
 * (event `fallback`, with the failure that caused it), and the answer of a backup carries
 * `meta.fallback = { agent, reasons }` saying which agent answered and why the ones before it
 * did not. A backup can reuse the primary's work through `context.checkpoint.peer(primary)`.
 * When every agent fails: an {@link AllAgentsFailedError} listing each failure.
 *
 * @example
 * ```ts
 * const marketing = fallbackAgents('marketing', [llmCopywriter, templateCopywriter]);
 * ```
 */
export function fallbackAgents<I = unknown, O = unknown>(
  name: string,
  agents: readonly Agent[],
  options: FallbackAgentsOptions = {},
): Agent<I, O> {
  const owner = 'fallbackAgents';
  checkName(owner, name);
  const chain = checkAgents(owner, 'agents', agents, 2).slice();
  assertRecord(owner, 'options', options);
  const shouldHandle =
    options.shouldHandle === undefined
      ? undefined
      : assertFunction(owner, 'shouldHandle', options.shouldHandle);
  const primary = chain[0] as Agent<I>;
  const agent: Agent<I, O> = {
    name,
    ...(primary.input === undefined ? {} : { input: primary.input }),
    async process(message: AgentMessage<I>, context: AgentContext): Promise<AgentMessage<O>> {
      const ctx = internalContext(context, `${name}.process`);
      const failures: AgentFailure[] = [];
      for (let i = 0; i < chain.length; i++) {
        const current = chain[i] as Agent<unknown, O>;
        try {
          const output = await ctx.invoke(current, message);
          if (i === 0) return output;
          const reasons = failures.map((f) => ({
            agent: f.agent,
            error: summarizeError(f.error) as unknown as JsonValue,
          }));
          return {
            ...output,
            meta: { ...output.meta, fallback: { agent: current.name, reasons } },
          };
        } catch (error) {
          if (ctx.signal.aborted || isAbortError(error)) throw error;
          if (shouldHandle !== undefined && !shouldHandle(error)) throw error;
          failures.push({ agent: current.name, error });
          const next = chain[i + 1];
          if (next !== undefined) {
            ctx.emit({
              type: 'fallback',
              from: current.name,
              to: next.name,
              reason: summarizeError(error),
            });
          }
        }
      }
      throw new AllAgentsFailedError(name, failures);
    },
  };
  return markComposite(agent);
}
