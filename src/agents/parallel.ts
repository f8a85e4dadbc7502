import {
  abortReason,
  assertFunction,
  assertInteger,
  assertRecord,
  invalidOption,
} from '../core/index.ts';
import { internalContext } from './agent-context.ts';
import { summarizeError, type AgentErrorSummary } from './error-summary.ts';
import { ParallelQuorumError } from './errors/parallel-quorum-error.ts';
import { markComposite } from './invoke.ts';
import { validateHandoff, type AgentMessage } from './message.ts';
import { checkAgents, checkName } from './sequential.ts';
import type { Agent, AgentContext } from './types.ts';

/** One branch's outcome in a {@link parallel} composition. */
export type BranchResult =
  | {
      readonly agent: string;
      readonly status: 'fulfilled';
      readonly message: AgentMessage;
    }
  | {
      readonly agent: string;
      readonly status: 'rejected';
      readonly error: unknown;
    };

/** The default output payload of {@link parallel}: every branch's payload or error. */
export interface ParallelPayload {
  readonly branches: readonly (
    | { readonly agent: string; readonly status: 'fulfilled'; readonly payload: unknown }
    | { readonly agent: string; readonly status: 'rejected'; readonly error: AgentErrorSummary }
  )[];
  readonly succeeded: number;
  readonly failed: number;
}

/**
 * How many branches must succeed: `'all'`, `'any'` (at least one), or `{ quorum: n }`.
 */
export type ParallelRequirement = 'all' | 'any' | { readonly quorum: number };

/** Options of {@link parallel}. */
export interface ParallelOptions<O> {
  /**
   * How many branches must succeed for the composition to succeed; otherwise it fails with a
   * {@link ParallelQuorumError} carrying every branch's result or error.
   * @default 'all'
   */
  readonly require?: ParallelRequirement;
  /**
   * Builds the output payload from the branch results (successful and failed).
   * @default a {@link ParallelPayload}
   */
  readonly merge?: (results: readonly BranchResult[]) => O;
  /**
   * The output message's `type`.
   * @default 'parallel.result'
   */
  readonly type?: string;
}

function required(name: string, requirement: ParallelRequirement, branches: number): number {
  if (requirement === 'all') return branches;
  if (requirement === 'any') return 1;
  if (typeof requirement === 'object' && (requirement as unknown) !== null) {
    const n = assertInteger(name, 'require.quorum', requirement.quorum, 1);
    if (n > branches) {
      invalidOption(name, 'require.quorum', n, `at most the number of branches (${branches})`);
    }
    return n;
  }
  return invalidOption(name, 'require', requirement, "'all', 'any' or { quorum: n }");
}

function defaultMerge(results: readonly BranchResult[]): ParallelPayload {
  let succeeded = 0;
  const branches = results.map((r) => {
    if (r.status === 'fulfilled') {
      succeeded++;
      return { agent: r.agent, status: r.status, payload: r.message.payload };
    }
    return { agent: r.agent, status: r.status, error: summarizeError(r.error) };
  });
  return { branches, succeeded, failed: results.length - succeeded };
}

/**
 * Runs agents side by side on the same message and waits for all of them, collecting every
 * branch's result or error (partial results). Succeeds when enough branches succeed (`require`),
 * else fails with a {@link ParallelQuorumError} carrying them all. Each completed branch is
 * checkpointed, so a re-run of the composition only re-runs the branches that failed.
 *
 * @example
 * ```ts
 * const quotes = parallel('quotes', [supplierA, supplierB, supplierC], { require: { quorum: 2 } });
 * ```
 */
export function parallel<I = unknown, O = ParallelPayload>(
  name: string,
  branches: readonly Agent[],
  options: ParallelOptions<O> = {},
): Agent<I, O> {
  const owner = 'parallel';
  checkName(owner, name);
  const agents = checkAgents(owner, 'branches', branches, 1).slice();
  assertRecord(owner, 'options', options);
  const need = required(owner, options.require ?? 'all', agents.length);
  const merge = (
    options.merge === undefined ? defaultMerge : assertFunction(owner, 'merge', options.merge)
  ) as (results: readonly BranchResult[]) => O;
  const type = options.type ?? 'parallel.result';
  const agent: Agent<I, O> = {
    name,
    async process(message: AgentMessage<I>, context: AgentContext): Promise<AgentMessage<O>> {
      const ctx = internalContext(context, `${name}.process`);
      const results = await Promise.all(
        agents.map(async (branch): Promise<BranchResult> => {
          const b = branch;
          try {
            const input =
              b.input === undefined
                ? message
                : validateHandoff(message, { from: message.from, to: b.name }, b.input);
            return { agent: b.name, status: 'fulfilled', message: await ctx.invoke(b, input) };
          } catch (error) {
            return { agent: b.name, status: 'rejected', error };
          }
        }),
      );
      if (ctx.signal.aborted) throw abortReason(ctx.signal);
      const succeeded = results.filter((r) => r.status === 'fulfilled').length;
      const ok = succeeded >= need;
      ctx.emit({
        type: 'parallel-settled',
        succeeded,
        failed: results.length - succeeded,
        required: need,
        ok,
      });
      if (!ok) throw new ParallelQuorumError(name, need, results);
      return ctx.message(type, merge(results), { to: message.from, correlationId: message.id });
    },
  };
  return markComposite(agent);
}
