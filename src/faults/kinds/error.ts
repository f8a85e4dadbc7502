import {
  HttpStatusError,
  httpErrorDefaults,
  httpErrorTypes,
  type HttpErrorType,
} from '../errors/http-status-error.ts';
import type { FaultFactory, FaultSpec } from '../types.ts';

/** Spec of an `error` fault: the call fails as an HTTP API does. */
export interface ErrorFaultSpec extends FaultSpec {
  readonly kind: 'error';
  /**
   * Which failure; with several, each injection picks one at random.
   * @default 'internal' (500), or the type matching `status` when that is set
   */
  readonly type?: HttpErrorType | readonly HttpErrorType[];
  /**
   * An HTTP status (400..599) overriding the type's.
   * @default the type's status
   */
  readonly status?: number;
  /**
   * How long the server asks the caller to wait (sets `Retry-After` and `retry-after-ms`).
   * @default 1000 for 'rate-limited', none otherwise
   */
  readonly retryAfterMs?: number;
  /**
   * The error message.
   * @default the type's usual message
   */
  readonly message?: string;
}

/** Factory of the `error` kind. */
export const errorFault: FaultFactory = (read) => {
  const status = read.number('status', { min: 400, max: 599, integer: true });
  const fromStatus = httpErrorTypes.find((t) => httpErrorDefaults[t].status === status);
  const types = read.oneOrMany('type', httpErrorTypes) ?? [fromStatus ?? 'internal'];
  const retryAfterMs = read.number('retryAfterMs', { min: 0 });
  const message = read.string('message');
  return {
    effect({ random }) {
      const type = types.length === 1 ? (types[0] as HttpErrorType) : random.pick(types);
      const defaults = httpErrorDefaults[type];
      const wait = retryAfterMs ?? (type === 'rate-limited' ? 1000 : undefined);
      const finalStatus = status ?? defaults.status;
      const statusText =
        finalStatus === defaults.status ? defaults.statusText : `HTTP ${finalStatus}`;
      const error = new HttpStatusError(
        message ?? `${finalStatus} ${statusText}: ${defaults.message}`,
        {
          status: finalStatus,
          statusText,
          code: defaults.code,
          type: defaults.errorType,
          ...(wait === undefined ? {} : { retryAfterMs: wait }),
        },
      );
      return { type: 'fail', error };
    },
  };
};
