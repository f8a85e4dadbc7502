import { neverAbortedSignal } from '../core/index.ts';
import type { PolicyContext } from './types.ts';

const rootContext: PolicyContext = Object.freeze({ signal: neverAbortedSignal, attempt: 1 });

/** Turns what a caller passed to `execute` into a context without allocating when it can. */
export function toContext(input: AbortSignal | PolicyContext | undefined): PolicyContext {
  if (input === undefined) return rootContext;
  if (input instanceof AbortSignal) return { signal: input, attempt: 1 };
  return input;
}
