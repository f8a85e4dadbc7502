import { createSystemError, type NodeSystemError } from '../errors/system-error.ts';
import { siteValue } from '../target.ts';
import type {
  FaultContext,
  FaultEffect,
  FaultFactory,
  FaultSpec,
  InjectionSite,
} from '../types.ts';

/** The network failures the `network` fault can inject. */
export type NetworkErrorCode = 'ECONNRESET' | 'ECONNREFUSED' | 'ENOTFOUND' | 'ETIMEDOUT' | 'EPIPE';

const codes: readonly NetworkErrorCode[] = [
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
];

/** Spec of a `network` fault. */
export interface NetworkFaultSpec extends FaultSpec {
  readonly kind: 'network';
  /**
   * Which error; with several, each injection picks one at random.
   * @default 'ECONNRESET'
   */
  readonly error?: NetworkErrorCode | readonly NetworkErrorCode[];
  /**
   * `'fail'`: the call fails before reaching the server. `'drop'`: the request is handled but the
   * connection drops mid-response (after `afterMs` when set, else once the work is done).
   * `'partition'`: the host becomes unreachable, and every call to it fails for `durationMs`.
   * @default 'fail'
   */
  readonly mode?: 'fail' | 'drop' | 'partition';
  /**
   * `'partition'` only: how long the host stays unreachable.
   * @default 30000
   */
  readonly durationMs?: number;
  /**
   * `'drop'` only: when the connection drops after the call started, in milliseconds.
   * @default undefined (when the response would have arrived)
   */
  readonly afterMs?: number;
}

/** The error Node's `net`/`dns` layer would give for `code` on a call to `site`. */
export function networkError(code: NetworkErrorCode, site: InjectionSite): NodeSystemError {
  const host = siteValue(site, 'host') ?? 'localhost';
  let port: number | undefined;
  if (site.url !== undefined) {
    try {
      const url = new URL(site.url);
      port = url.port === '' ? (url.protocol === 'http:' ? 80 : 443) : Number(url.port);
    } catch {
      port = undefined;
    }
  }
  switch (code) {
    case 'ENOTFOUND':
      return createSystemError(code, { syscall: 'getaddrinfo', hostname: host });
    case 'ECONNREFUSED':
    case 'ETIMEDOUT':
      return createSystemError(code, { syscall: 'connect', address: host, port });
    case 'ECONNRESET':
      return createSystemError(code, { syscall: 'read' });
    case 'EPIPE':
      return createSystemError(code, { syscall: 'write' });
  }
}

function partitionKey(site: InjectionSite): string {
  return siteValue(site, 'host') ?? site.operation;
}

/** Factory of the `network` kind. */
export const networkFault: FaultFactory = (read) => {
  const errors = read.oneOrMany('error', codes) ?? ['ECONNRESET'];
  const mode = read.oneOf('mode', ['fail', 'drop', 'partition']) ?? 'fail';
  const durationMs = read.number('durationMs', { min: 0 }) ?? 30_000;
  const afterMs = read.number('afterMs', { min: 0 });
  if (mode !== 'partition' && read.raw('durationMs') !== undefined) {
    read.fail('durationMs', durationMs, "absent unless mode is 'partition'");
  }
  if (mode !== 'drop' && afterMs !== undefined) {
    read.fail('afterMs', afterMs, "absent unless mode is 'drop'");
  }
  const pick = ({ random }: FaultContext): NetworkErrorCode =>
    errors.length === 1 ? (errors[0] as NetworkErrorCode) : random.pick(errors);
  const behaviour = {
    effect(context: FaultContext): FaultEffect {
      const error = networkError(pick(context), context.site);
      if (mode === 'drop') {
        return afterMs === undefined
          ? { type: 'fail-after', error }
          : { type: 'interrupt', afterMs, error };
      }
      if (mode === 'partition') {
        context.state.set(partitionKey(context.site), {
          until: context.now + durationMs,
          code: (error as { code: string }).code,
        });
      }
      return { type: 'fail', error };
    },
    sticky(context: FaultContext): FaultEffect | undefined {
      if (mode !== 'partition') return undefined;
      const partition = context.state.get(partitionKey(context.site)) as
        { until: number; code: NetworkErrorCode } | undefined;
      if (partition === undefined || context.now >= partition.until) return undefined;
      return { type: 'fail', error: networkError(partition.code, context.site) };
    },
  };
  return behaviour;
};
