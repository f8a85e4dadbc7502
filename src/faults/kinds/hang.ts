import { createSystemError } from '../errors/system-error.ts';
import type { FaultFactory, FaultSpec } from '../types.ts';

/** Spec of a `hang` fault (alias `timeout`): the call does not answer. */
export interface HangFaultSpec extends FaultSpec {
  readonly kind: 'hang';
  /**
   * How long the call hangs, in milliseconds; without it, until the caller's signal aborts
   * (or the chaos scope stops), which proves that timeouts work.
   * @default undefined (hang until aborted)
   */
  readonly ms?: number;
  /**
   * After `ms`: `'continue'` runs the call late; `'timeout'` fails it with `ETIMEDOUT`.
   * @default 'continue'
   */
  readonly then?: 'continue' | 'timeout';
}

/** Factory of the `hang` kind. */
export const hangFault: FaultFactory = (read) => {
  const ms = read.number('ms', { min: 0 });
  const then = read.oneOf('then', ['continue', 'timeout']) ?? 'continue';
  if (then === 'timeout' && ms === undefined) {
    read.fail(
      'then',
      then,
      "'continue' when 'ms' is not set (a hang without 'ms' never times out)",
    );
  }
  return {
    effect: () => ({
      type: 'hang',
      ms,
      error: then === 'timeout' ? createSystemError('ETIMEDOUT', { syscall: 'read' }) : undefined,
    }),
  };
};
