/** The HTTP-ish failures the `error` fault can inject. */
export type HttpErrorType =
  | 'rate-limited'
  | 'internal'
  | 'bad-gateway'
  | 'unavailable'
  | 'gateway-timeout'
  | 'unauthorized'
  | 'forbidden'
  | 'context-length-exceeded'
  | 'budget-exhausted';

/** Every {@link HttpErrorType}. */
export const httpErrorTypes: readonly HttpErrorType[] = [
  'rate-limited',
  'internal',
  'bad-gateway',
  'unavailable',
  'gateway-timeout',
  'unauthorized',
  'forbidden',
  'context-length-exceeded',
  'budget-exhausted',
];

interface HttpErrorDefaults {
  readonly status: number;
  readonly statusText: string;
  readonly code: string;
  readonly errorType: string;
  readonly message: string;
}

/** Status, API error code and message of each type, as model APIs send them. */
export const httpErrorDefaults: Readonly<Record<HttpErrorType, HttpErrorDefaults>> = {
  'rate-limited': {
    status: 429,
    statusText: 'Too Many Requests',
    code: 'rate_limit_exceeded',
    errorType: 'rate_limit_error',
    message: 'Rate limit exceeded; retry later',
  },
  internal: {
    status: 500,
    statusText: 'Internal Server Error',
    code: 'server_error',
    errorType: 'api_error',
    message: 'The server had an error while processing the request',
  },
  'bad-gateway': {
    status: 502,
    statusText: 'Bad Gateway',
    code: 'bad_gateway',
    errorType: 'api_error',
    message: 'Bad gateway',
  },
  unavailable: {
    status: 503,
    statusText: 'Service Unavailable',
    code: 'service_unavailable',
    errorType: 'overloaded_error',
    message: 'The service is temporarily unavailable',
  },
  'gateway-timeout': {
    status: 504,
    statusText: 'Gateway Timeout',
    code: 'gateway_timeout',
    errorType: 'timeout_error',
    message: 'The upstream server did not answer in time',
  },
  unauthorized: {
    status: 401,
    statusText: 'Unauthorized',
    code: 'invalid_api_key',
    errorType: 'authentication_error',
    message: 'Invalid or missing API key',
  },
  forbidden: {
    status: 403,
    statusText: 'Forbidden',
    code: 'permission_denied',
    errorType: 'permission_error',
    message: 'The API key is not allowed to use this resource',
  },
  'context-length-exceeded': {
    status: 400,
    statusText: 'Bad Request',
    code: 'context_length_exceeded',
    errorType: 'invalid_request_error',
    message: "This model's maximum context length was exceeded by the request",
  },
  'budget-exhausted': {
    status: 429,
    statusText: 'Too Many Requests',
    code: 'insufficient_quota',
    errorType: 'insufficient_quota',
    message: 'You exceeded your current quota (token or cost budget exhausted)',
  },
};

/** Details of an {@link HttpStatusError}. */
export interface HttpStatusErrorDetails {
  readonly status: number;
  readonly statusText?: string;
  /** API error code, e.g. `rate_limit_exceeded`. */
  readonly code?: string;
  /** API error type, e.g. `rate_limit_error`. */
  readonly type?: string;
  /** Response headers, lower-case names. */
  readonly headers?: Readonly<Record<string, string>>;
  /** How long the server asks the caller to wait, in milliseconds. */
  readonly retryAfterMs?: number;
}

/**
 * An HTTP error response, shaped as model-API SDK errors are so that retry classifiers can read
 * it: `status`, `headers` (with `retry-after` and `retry-after-ms` for a 429 that asks to wait),
 * `retryAfterMs`, an API `code` and `type`, and the JSON `body` a server would send. Interceptors
 * turn it into a real HTTP response with that status, headers and body.
 */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  /** HTTP status, e.g. 429. */
  readonly status: number;
  /** HTTP reason phrase. */
  readonly statusText: string;
  /** API error code, e.g. `rate_limit_exceeded`, `context_length_exceeded`. */
  readonly code: string;
  /** API error type, e.g. `rate_limit_error`. */
  readonly type: string;
  /** Response headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** How long the server asks to wait, when it does. */
  readonly retryAfterMs: number | undefined;
  /** The JSON body a server would send. */
  readonly body: {
    readonly error: { readonly message: string; readonly type: string; readonly code: string };
  };

  constructor(message: string, details: HttpStatusErrorDetails) {
    super(message);
    this.status = details.status;
    this.statusText = details.statusText ?? '';
    this.code = details.code ?? `http_${details.status}`;
    this.type = details.type ?? 'api_error';
    this.retryAfterMs = details.retryAfterMs;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (details.retryAfterMs !== undefined) {
      headers['retry-after'] = String(Math.ceil(details.retryAfterMs / 1000));
      headers['retry-after-ms'] = String(Math.round(details.retryAfterMs));
    }
    this.headers = { ...headers, ...details.headers };
    this.body = { error: { message, type: this.type, code: this.code } };
  }
}

/** True when `error` looks like an HTTP error response (a numeric `status` from 400 to 599). */
export function isHttpStatusError(error: unknown): error is HttpStatusError {
  if (!(error instanceof Error)) return false;
  const status = (error as Error & { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 600;
}
