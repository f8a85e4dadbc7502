import { z } from 'zod';
import type { JsonValue } from '../core/index.ts';
import { HandoffValidationError, type HandoffIssue } from './errors/handoff-validation-error.ts';

/**
 * What agents pass to each other: a typed JSON payload with metadata. Create one with
 * `context.message(type, payload)`; it must survive `JSON.stringify` unchanged, because
 * hand-offs travel as JSON text (where faults can corrupt them) and are checkpointed.
 */
export interface AgentMessage<P = unknown> {
  /** Unique within the run, e.g. `run-7:m3` (ids are counted, so they replay). */
  readonly id: string;
  /** What the message is, e.g. `product.published`. */
  readonly type: string;
  /** The sending agent's name (`caller` for a run's input). */
  readonly from: string;
  /** The receiving agent's name. */
  readonly to: string;
  /** The run it belongs to (the correlation id of everything in a run). */
  readonly runId: string;
  /** `clock.now()` when it was created. */
  readonly createdAt: number;
  /** The message this one answers, when it answers one. */
  readonly correlationId?: string;
  /** Annotations: which fallback answered, why a step was skipped, ... */
  readonly meta?: Readonly<Record<string, JsonValue>>;
  /** The content; its schema is the receiving agent's `input`. */
  readonly payload: P;
}

const envelope = {
  id: z.string().min(1),
  type: z.string().min(1),
  from: z.string().min(1),
  to: z.string().min(1),
  runId: z.string().min(1),
  createdAt: z.number(),
  correlationId: z.string().optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
};

const anyMessage = z.object({ ...envelope, payload: z.unknown() });
const schemas = new WeakMap<z.ZodType, z.ZodType>();

/**
 * The zod schema of a whole message (metadata and payload) whose payload matches `payload`.
 *
 * @example
 * ```ts
 * const schema = messageSchema(z.object({ sku: z.string() }));
 * schema.parse(message); // throws on a bad envelope or payload
 * ```
 */
export function messageSchema<P>(payload?: z.ZodType<P>): z.ZodType<AgentMessage<P>> {
  if (payload === undefined) return anyMessage as unknown as z.ZodType<AgentMessage<P>>;
  let schema = schemas.get(payload);
  if (schema === undefined) {
    schema = z.object({ ...envelope, payload });
    schemas.set(payload, schema);
  }
  return schema as z.ZodType<AgentMessage<P>>;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(message)' : out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

/**
 * Checks a message handed from `from` to `to`: parses it if it arrived as JSON text, then
 * validates it against the message schema with the receiver's payload schema. Returns the
 * validated message; throws a {@link HandoffValidationError} naming each bad path and value.
 */
export function validateHandoff<P>(
  received: unknown,
  route: { readonly from: string; readonly to: string },
  payload?: z.ZodType<P>,
): AgentMessage<P> {
  let value = received;
  if (typeof received === 'string') {
    try {
      value = JSON.parse(received) as unknown;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new HandoffValidationError(route.from, route.to, [
        { path: '(message)', message: `not valid JSON: ${reason}`, value: received },
      ]);
    }
  }
  const result = messageSchema(payload).safeParse(value);
  if (result.success) return result.data;
  const issues: HandoffIssue[] = result.error.issues.map((issue) => ({
    path: formatPath(issue.path),
    message: issue.message,
    value: valueAt(value, issue.path),
  }));
  throw new HandoffValidationError(route.from, route.to, issues);
}
