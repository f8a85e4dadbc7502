import { injectedFaultInfo } from '../core/index.ts';

/** A JSON description of an error, as agent events, journals and run results show it. */
export interface AgentErrorSummary {
  readonly name: string;
  readonly message: string;
  /** The error's `code`, when it has one (`FL_TIMEOUT`, `ECONNRESET`, ...). */
  readonly code?: string;
  /** True when faultline injected the failure (or the failure it wraps). */
  readonly injected: boolean;
  /** The injecting fault's name, when injected. */
  readonly fault?: string;
}

const maxDepth = 8;

/** The injected failure in `error`'s cause chain, if any. */
function injectedIn(error: unknown): ReturnType<typeof injectedFaultInfo> {
  let current = error;
  for (let depth = 0; depth < maxDepth && current !== undefined; depth++) {
    const info = injectedFaultInfo(current);
    if (info !== undefined) return info;
    current = current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}

/**
 * Describes `error` as JSON: name, message, code, and whether it (or an error in its `cause`
 * chain) was injected by faultline.
 */
export function summarizeError(error: unknown): AgentErrorSummary {
  const info = injectedIn(error);
  const base =
    error instanceof Error
      ? { name: error.name, message: error.message }
      : { name: 'NonError', message: String(error) };
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return {
    ...base,
    ...(typeof code === 'string' ? { code } : {}),
    injected: info !== undefined,
    ...(info === undefined ? {} : { fault: info.fault }),
  };
}

/**
 * The innermost error of a chain of wrappers (`AgentStepError`, `EscalationError`, ...), by
 * following `cause` while the error is a faultline wrapper.
 */
export function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < maxDepth; depth++) {
    if (!(current instanceof Error) || current.cause === undefined) return current;
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code !== 'string' || !wrapperCodes.has(code)) return current;
    current = current.cause;
  }
  return current;
}

const wrapperCodes = new Set([
  'FL_AGENT_STEP_FAILED',
  'FL_ESCALATED',
  'FL_ALL_AGENTS_FAILED',
  'FL_PARALLEL_QUORUM',
]);
