import { chaos } from '../faults/index.ts';
import type { Policy } from '../policies/index.ts';
import type { RunContext } from './agent-context.ts';
import { isHandoffValidationError } from './errors/handoff-validation-error.ts';
import { validateHandoff, type AgentMessage } from './message.ts';
import type { Agent } from './types.ts';

interface CompletedRecord {
  readonly inputId: string;
  readonly output: AgentMessage;
}

/**
 * Hands `output` of `from` to `to` inside the composition running in `context`: the message
 * travels as JSON text through the injection site `handoff:<from>-><to>` (where corruption,
 * loss and delay faults reach it), and is validated against `to.input` on arrival. With a
 * `policy` (say a retry), a rejected hand-off is delivered again, from the sender's
 * checkpointed output when there is one (peer context), else from memory. @internal
 */
export function deliver<I>(
  context: RunContext,
  from: Agent,
  to: Agent<I>,
  output: AgentMessage,
  policy: Policy | undefined,
): Promise<AgentMessage<I>> {
  const site = { operation: `handoff:${from.name}->${to.name}`, agent: to.name };
  const route = { from: from.name, to: to.name };
  const once = async (attempt: number): Promise<AgentMessage<I>> => {
    let source = output;
    if (attempt > 1) {
      const receiver = context.child(to.name);
      const peer = await receiver.checkpoint.peer<CompletedRecord>(`${context.agent}/${from.name}`);
      if (peer?.reason === 'completed') source = peer.state.output;
    }
    const text = JSON.stringify({ ...source, to: to.name });
    const received = await chaos.execute(site, () => text, { signal: context.signal });
    try {
      return validateHandoff(received, route, to.input);
    } catch (error) {
      if (isHandoffValidationError(error)) {
        context.emit({
          type: 'handoff-rejected',
          from: from.name,
          to: to.name,
          attempt,
          issues: error.issues.map((i) => ({ path: i.path, message: i.message })),
        });
      }
      throw error;
    }
  };
  if (policy === undefined) return once(1);
  return policy.execute(({ attempt }) => once(attempt), context.signal);
}
