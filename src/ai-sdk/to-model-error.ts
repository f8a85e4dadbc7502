import { APICallError } from 'ai';
import { injectedFaultInfo, markInjected } from '../core/index.ts';
import { isHttpStatusError, isNodeSystemError } from '../faults/index.ts';

/** The model a call went to, as error URLs name it. */
export interface ModelIdentity {
  readonly provider: string;
  readonly modelId: string;
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Turns an injected failure into the error an AI SDK provider would throw for it: an HTTP error
 * response (`error` faults: 429 with `retry-after`, 500, 503, context length exceeded...) becomes
 * an `APICallError` with `statusCode`, `responseHeaders`, the JSON `responseBody`, `data` and
 * `isRetryable` set as providers set them; a network failure (`network` faults, a dropped
 * connection) becomes a retryable `APICallError` "Cannot connect to API". Other errors are
 * returned unchanged. The injection mark is kept, so reports still tell chaos from real failures.
 */
export function toModelError(error: unknown, model: ModelIdentity): unknown {
  if (!(error instanceof Error) || APICallError.isInstance(error)) return error;
  const url = `faultline://${model.provider}/${model.modelId}`;
  let converted: APICallError | undefined;
  if (isHttpStatusError(error)) {
    const e = error as Error & {
      status: number;
      headers?: Readonly<Record<string, string>>;
      body?: { readonly error?: unknown };
    };
    converted = new APICallError({
      message: error.message,
      url,
      requestBodyValues: { model: model.modelId },
      statusCode: e.status,
      responseHeaders: { ...(e.headers ?? {}) },
      responseBody: JSON.stringify(e.body ?? { error: { message: error.message } }),
      isRetryable: isRetryableStatus(e.status),
      data: e.body,
      cause: error,
    });
  } else if (
    isNodeSystemError(error) ||
    (error instanceof TypeError &&
      (error.message === 'terminated' || error.message === 'fetch failed'))
  ) {
    converted = new APICallError({
      message: `Cannot connect to API: ${error.message}`,
      url,
      requestBodyValues: { model: model.modelId },
      isRetryable: true,
      cause: error,
    });
  }
  if (converted === undefined) return error;
  const info = injectedFaultInfo(error);
  return info === undefined ? converted : markInjected(converted, info);
}
