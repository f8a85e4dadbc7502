/**
 * The classes {@link defaultErrorClassifier} sorts failures into, for a retry policy's per-class
 * table:
 *
 * - `network`: the connection failed (ECONNRESET, ECONNREFUSED, ETIMEDOUT, ENOTFOUND, EPIPE,
 *   EAI_AGAIN and kin, undici socket errors, `fetch failed`).
 * - `timeout`: the call outlived a deadline (faultline's `TimeoutError`, HTTP 408, an
 *   `AbortSignal.timeout`, undici header/body timeouts).
 * - `rateLimit`: HTTP 429 or faultline's `RateLimitedError`.
 * - `server`: HTTP 5xx (529 "overloaded" included).
 * - `unavailable`: faultline refused the call for now (circuit open, bulkhead full).
 * - `auth`: HTTP 401 or 403, or an exhausted quota (`insufficient_quota`): retrying won't help.
 * - `contextLength`: the prompt is longer than the model's context window.
 * - `validation`: the output did not parse or validate (JSON syntax, Zod, AI SDK type
 *   validation, invalid tool input); asking again may well succeed.
 * - `client`: any other HTTP 4xx.
 * - `unknown`: none of the above.
 */
export type ErrorClass =
  | 'network'
  | 'timeout'
  | 'rateLimit'
  | 'server'
  | 'unavailable'
  | 'auth'
  | 'contextLength'
  | 'validation'
  | 'client'
  | 'unknown';

const networkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

const timeoutCodes = new Set(['FL_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

const validationNames = new Set([
  'SyntaxError',
  'ZodError',
  'ValidationError',
  'AI_TypeValidationError',
  'AI_JSONParseError',
  'AI_NoObjectGeneratedError',
  'AI_InvalidToolInputError',
  'AI_InvalidToolArgumentsError',
  'AI_NoSuchToolError',
]);

const contextLengthMessage =
  /context[_ ]length|context window|maximum context|prompt is too long|too many tokens|exceeds the maximum number of tokens/i;

const quotaMessage =
  /insufficient[_ ]quota|exceeded your (?:current )?quota|quota (?:is )?(?:exceeded|exhausted|spent)/i;

type Fields = Record<string, unknown>;

function fields(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null ? (value as Fields) : undefined;
}

function statusOf(error: Fields): number | undefined {
  const response = fields(error.response);
  const raw = error.status ?? error.statusCode ?? response?.status ?? response?.statusCode;
  const status = typeof raw === 'string' ? Number(raw) : raw;
  return typeof status === 'number' && Number.isInteger(status) ? status : undefined;
}

/** Walks an error and its causes (a few levels deep, so cycles are harmless). */
function* chain(error: unknown): Generator<Fields> {
  let current = fields(error);
  for (let depth = 0; current !== undefined && depth < 4; depth++) {
    yield current;
    current = fields(current.cause);
  }
}

/**
 * Sorts a failure into an {@link ErrorClass} by looking at its faultline code, HTTP status
 * (`status`, `statusCode` or `response.status`), system error code (on it or its `cause`),
 * provider error code, name and message.
 *
 * @example
 * ```ts
 * retry({
 *   classify: defaultErrorClassifier,
 *   classes: {
 *     network: { maxAttempts: 5, schedule: fullJitter(exponential()) },
 *     rateLimit: { maxAttempts: 3, schedule: delayFromError({ fallback: constant(60_000) }) },
 *     validation: { maxAttempts: 2, schedule: constant(0) },
 *     auth: { maxAttempts: 1 },
 *     contextLength: { maxAttempts: 1 },
 *   },
 * });
 * ```
 */
export function defaultErrorClassifier(error: unknown): ErrorClass {
  const top = fields(error);
  if (top === undefined) return 'unknown';
  switch (top.code) {
    case 'FL_RATE_LIMITED':
      return 'rateLimit';
    case 'FL_CIRCUIT_OPEN':
    case 'FL_BULKHEAD_REJECTED':
      return 'unavailable';
    case 'context_length_exceeded':
      return 'contextLength';
    case 'insufficient_quota':
      return 'auth';
  }
  const message = typeof top.message === 'string' ? top.message : '';
  if (contextLengthMessage.test(message)) return 'contextLength';
  if (quotaMessage.test(message)) return 'auth';
  const status = statusOf(top);
  if (status !== undefined) {
    if (status === 408) return 'timeout';
    if (status === 429) return 'rateLimit';
    if (status === 401 || status === 403) return 'auth';
    if (status >= 500 && status <= 599) return 'server';
    if (status >= 400 && status <= 499) return 'client';
  }
  for (const link of chain(error)) {
    const code = link.code;
    if (typeof code === 'string') {
      if (networkCodes.has(code)) return 'network';
      if (timeoutCodes.has(code)) return 'timeout';
    }
    if (link.name === 'TimeoutError') return 'timeout';
  }
  const name = typeof top.name === 'string' ? top.name : '';
  if (validationNames.has(name)) return 'validation';
  if (name === 'TypeError' && (message === 'fetch failed' || message === 'terminated')) {
    return 'network';
  }
  return 'unknown';
}
