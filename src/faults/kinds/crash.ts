import { AgentCrashError } from '../errors/agent-crash-error.ts';
import type { FaultFactory, FaultSpec } from '../types.ts';

/** Spec of a `crash` fault: the operation dies with an {@link AgentCrashError}. */
export interface CrashFaultSpec extends FaultSpec {
  readonly kind: 'crash';
  /**
   * How far (0..1) the work gets before the crash. Above 0 the operation runs and crashes from
   * its `reportProgress(fraction)` call once `fraction` reaches this; an operation that never
   * reports progress crashes when it completes (its result is lost).
   * @default 0 (crash before the work starts)
   */
  readonly atProgress?: number;
  /**
   * The error message.
   * @default `injected crash in <operation>`
   */
  readonly message?: string;
}

/** Factory of the `crash` kind. */
export const crashFault: FaultFactory = (read) => {
  const atProgress = read.number('atProgress', { min: 0, max: 1 }) ?? 0;
  const message = read.string('message');
  return {
    effect({ site }) {
      const where = atProgress > 0 ? ` at ${Math.round(atProgress * 100)}% progress` : '';
      const error = new AgentCrashError(message ?? `injected crash in ${site.operation}${where}`, {
        operation: site.operation,
        agent: site.agent,
        progress: atProgress,
      });
      return atProgress === 0
        ? { type: 'fail', error }
        : { type: 'crash-at', progress: atProgress, error };
    },
  };
};
