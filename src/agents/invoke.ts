import { chaos } from '../faults/index.ts';
import type { RunContext } from './agent-context.ts';
import { summarizeError } from './error-summary.ts';
import { validateHandoff, type AgentMessage } from './message.ts';
import type { Agent, AgentContext } from './types.ts';

const composite = Symbol.for('faultline.agents.composite');

/**
 * Marks an agent built from other agents (a composition, a policy or supervisor wrapper): it
 * has no injection site of its own; the agents inside it do. @internal
 */
export function markComposite<A extends Agent>(agent: A): A {
  Object.defineProperty(agent, composite, { value: true });
  return agent;
}

function isComposite(agent: Agent): boolean {
  return (agent as unknown as Record<symbol, unknown>)[composite] === true;
}

/**
 * Calls `agent.process` once. A plain agent's call is the injection site
 * `{ operation: 'agent:<name>', agent: '<name>' }`, so crash, hang and latency faults reach the
 * agent itself (a crash at N% fires from its `context.progress`); its output is then checked
 * against its `output` schema (a `HandoffValidationError` from the agent to `output`). @internal
 */
export function callAgent<I, O>(
  agent: Agent<I, O>,
  message: AgentMessage<I>,
  context: AgentContext,
): Promise<AgentMessage<O>> {
  if (isComposite(agent)) return agent.process(message, context);
  const output = chaos.execute(
    { operation: `agent:${agent.name}`, agent: agent.name },
    () => agent.process(message, context),
    { signal: context.signal },
  );
  const schema = agent.output;
  if (schema === undefined) return output;
  // Checked per call, so that a retry or a supervisor restart can replace a corrupted output.
  return output.then((value) => validateHandoff(value, { from: agent.name, to: 'output' }, schema));
}

/**
 * Runs `agent` as a child of `parent`: reuses its checkpointed output for this very input when
 * there is one (no work twice), else runs it, checkpoints the output as `completed` and reports
 * `agent-started` / `agent-completed` / `agent-failed`. @internal
 */
export async function invokeAgent<I, O>(
  agent: Agent<I, O>,
  message: AgentMessage<I>,
  parent: RunContext,
): Promise<AgentMessage<O>> {
  const context = parent.child(agent.name);
  const handle = context.checkpoint;
  const done = await handle.completedOutput(message.id);
  if (done !== undefined) {
    context.emit({ type: 'agent-skipped', seq: done.seq });
    return done.state.output as AgentMessage<O>;
  }
  const startedAt = context.clock.now();
  context.emit({ type: 'agent-started', messageId: message.id });
  try {
    let output = await callAgent(agent, message, context);
    if (agent.output !== undefined) {
      output = validateHandoff(
        output,
        { from: agent.name, to: `${agent.name}.output` },
        agent.output,
      );
    }
    await handle.saveCompleted(message.id, output);
    context.emit({ type: 'agent-completed', durationMs: context.clock.now() - startedAt });
    return output;
  } catch (error) {
    context.emit({
      type: 'agent-failed',
      durationMs: context.clock.now() - startedAt,
      error: summarizeError(error),
    });
    throw error;
  }
}
