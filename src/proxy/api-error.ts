import { FaultlineError, hasCode } from '../core/errors/faultline-error.ts';

/**
 * Every error the admin API can answer with: its HTTP status and the start of its message
 * (Toxiproxy's wording where Toxiproxy has the error). The body, sent as `text/plain` like
 * Toxiproxy's, is `{"error": "<message>[: <detail>]", "status": <status>}` plus a newline;
 * `body: 'message'` sends the bare message instead and `body: 'empty'` nothing, as Toxiproxy's
 * router does for unknown routes, wrong methods and browsers.
 */
export const proxyApiErrors = {
  badRequestBody: { status: 400, message: 'bad request body' },
  missingField: { status: 400, message: 'missing required field' },
  invalidStream: {
    status: 400,
    message: 'stream was invalid, can be either upstream or downstream',
  },
  invalidToxicType: { status: 400, message: 'invalid toxic type' },
  invalidAddress: { status: 400, message: 'invalid address' },
  notLoopback: { status: 400, message: 'address is not a loopback address' },
  needsHttpProxy: { status: 400, message: 'toxic type needs a proxy created with "http": true' },
  badRequestPath: { status: 400, message: 'bad request path' },
  proxyNotFound: { status: 404, message: 'proxy not found' },
  toxicNotFound: { status: 404, message: 'toxic not found' },
  proxyAlreadyExists: { status: 409, message: 'proxy already exists' },
  toxicAlreadyExists: { status: 409, message: 'toxic already exists' },
  bodyTooLarge: { status: 413, message: 'request body too large' },
  methodNotAllowed: { status: 405, message: 'method not allowed', body: 'empty' },
  routeNotFound: { status: 404, message: '404 page not found', body: 'message' },
  browserForbidden: { status: 403, message: 'User agent not allowed', body: 'message' },
  listenFailed: { status: 500, message: 'listen failed' },
  internal: { status: 500, message: 'internal error' },
} as const satisfies Record<
  string,
  { status: number; message: string; body?: 'message' | 'empty' }
>;

/** Names of the admin API's errors (keys of {@link proxyApiErrors}). */
export type ProxyApiErrorKind = keyof typeof proxyApiErrors;

/**
 * An error of the proxy's admin API (also thrown by the programmatic {@link ProxyRegistry}):
 * `kind` picks the status and message from {@link proxyApiErrors}; `detail` says what exactly
 * was wrong (a field, a value).
 */
export class ProxyApiError extends FaultlineError {
  override readonly name = 'ProxyApiError';
  readonly kind: ProxyApiErrorKind;
  /** HTTP status of the response this error becomes. */
  readonly status: number;
  /** What was wrong, appended to the message; `undefined` when the kind says it all. */
  readonly detail: string | undefined;

  constructor(kind: ProxyApiErrorKind, detail?: string, options: { cause?: unknown } = {}) {
    const entry = proxyApiErrors[kind];
    super(
      'FL_PROXY_API',
      detail === undefined || detail === '' ? entry.message : `${entry.message}: ${detail}`,
      options,
    );
    this.kind = kind;
    this.status = entry.status;
    this.detail = detail;
  }

  /** How the body is sent: the JSON object, the bare message, or nothing. */
  get bodyForm(): 'json' | 'message' | 'empty' {
    const entry = proxyApiErrors[this.kind];
    return 'body' in entry ? entry.body : 'json';
  }

  /** The error as the API sends it. */
  toJSON(): { error: string; status: number } {
    return { error: this.message, status: this.status };
  }
}

/** True when `error` is a {@link ProxyApiError} (matched by code `FL_PROXY_API`). */
export const isProxyApiError = hasCode<ProxyApiError>('FL_PROXY_API');
