import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from 'undici';
import type { TimerHandle } from '../core/index.ts';
import type { ChaosScope, InjectionPlan, InjectionSite } from '../faults/index.ts';
import { activeScope, trackCall } from './active-scope.ts';
import { nativeEffects, runWaits, type NativeEffects } from './apply-plan.ts';
import { interceptorHandle, type InterceptorHandle } from './interceptor-handle.ts';
import { statusResponse, transformText } from './payload.ts';

/** Options of {@link chaosInterceptor} and {@link installFetchInterceptor}. */
export interface FetchInterceptorOptions {
  /**
   * The `operation` of the sites this interceptor reports (each also has `url` and `host`), for
   * targeting faults.
   * @default 'fetch'
   */
  readonly operation?: string;
}

/** A response status the kill switch counts as a failed call. */
const isFailureStatus = (status: number): boolean => status === 429 || status >= 500;

/** How much of the body a dropped connection delivers when the fault names no fraction. */
const dropFraction = 0.5;

function siteOf(operation: string, options: Dispatcher.DispatchOptions): InjectionSite {
  const origin = options.origin;
  const base = origin === undefined ? '' : typeof origin === 'string' ? origin : origin.origin;
  try {
    const url = new URL(options.path, base);
    return { operation, url: url.href, host: url.hostname };
  } catch {
    return { operation, url: `${base}${options.path}` };
  }
}

function isEncoded(headers: IncomingHttpHeaders): boolean {
  const encoding = (headers as Record<string, string | string[] | undefined>)['content-encoding'];
  if (encoding === undefined) return false;
  const value = Array.isArray(encoding) ? encoding.join(',') : encoding;
  return value.trim().toLowerCase() !== 'identity';
}

/** Passes a call through, reporting its outcome to the kill switch. */
class TrackingHandler implements Dispatcher.DispatchHandler {
  readonly #handler: Dispatcher.DispatchHandler;
  readonly #done: (ok: boolean) => void;

  constructor(handler: Dispatcher.DispatchHandler, done: (ok: boolean) => void) {
    this.#handler = handler;
    this.#done = done;
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.#handler.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: IncomingHttpHeaders,
    socket: Duplex,
  ): void {
    this.#done(true);
    this.#handler.onRequestUpgrade?.(controller, status, headers, socket);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    this.#done(!isFailureStatus(status));
    this.#handler.onResponseStart?.(controller, status, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#handler.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.#handler.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.#done(false);
    this.#handler.onResponseError?.(controller, error);
  }
}

/**
 * One request that faults fired on. It is the controller the caller's handler sees for the whole
 * request: the waits, the real request (if any) and the synthetic or altered response.
 *
 * ```
 * caller's handler <- ChaosRequest (delay/hang -> fail | dispatch -> truncate/transform) <- next
 * ```
 */
class ChaosRequest implements Dispatcher.DispatchController {
  readonly #scope: ChaosScope;
  readonly #effects: NativeEffects;
  readonly #next: Dispatcher.Dispatch;
  readonly #options: Dispatcher.DispatchOptions;
  readonly #handler: Dispatcher.DispatchHandler;
  readonly #done: (ok: boolean) => void;
  readonly #waits = new AbortController();
  #aborted = false;
  #reason: Error | null = null;
  #paused = false;
  #inner: Dispatcher.DispatchController | undefined;
  #cancel: Error | undefined;
  #buffering = false;
  #head: { status: number; headers: IncomingHttpHeaders; message: string | undefined } | undefined;
  #headSent = false;
  #chunks: Buffer[] = [];
  #settled = false;
  #timer: TimerHandle | undefined;

  constructor(
    scope: ChaosScope,
    plan: InjectionPlan,
    next: Dispatcher.Dispatch,
    options: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
  ) {
    this.#scope = scope;
    this.#effects = nativeEffects(plan);
    this.#next = next;
    this.#options = options;
    this.#handler = handler;
    this.#done = trackCall(scope);
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get paused(): boolean {
    return this.#paused;
  }

  get reason(): Error | null {
    return this.#reason;
  }

  abort(reason: Error): void {
    if (this.#aborted || this.#settled) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#waits.abort(reason);
    this.#inner?.abort(reason);
  }

  pause(): void {
    this.#paused = true;
    if (!this.#buffering) this.#inner?.pause();
  }

  resume(): void {
    this.#paused = false;
    if (!this.#buffering) this.#inner?.resume();
  }

  async start(): Promise<void> {
    try {
      this.#handler.onRequestStart?.(this, {});
      await runWaits(this.#scope, this.#effects.waits, this.#waits.signal);
    } catch (error) {
      this.#error(error as Error);
      return;
    }
    if (this.#aborted) {
      this.#error(this.#reason ?? new Error('aborted'));
      return;
    }
    const { fail, cut, failAfter, transforms, interrupt } = this.#effects;
    if (fail !== undefined && this.#scope.active) {
      this.#failWith(fail);
      return;
    }
    this.#buffering =
      this.#scope.active && (cut !== undefined || failAfter !== undefined || transforms.length > 0);
    if (interrupt !== undefined && this.#scope.active) {
      this.#timer = this.#scope.clock.setTimer(interrupt.afterMs, () => {
        this.#timer = undefined;
        if (!this.#scope.active || this.#settled) return;
        this.#cancel = interrupt.error;
        this.#inner?.abort(interrupt.error);
        this.#failWith(interrupt.error);
      });
    }
    try {
      this.#next(this.#options, this.#innerHandler());
    } catch (error) {
      this.#error(error as Error);
    }
  }

  #innerHandler(): Dispatcher.DispatchHandler {
    return {
      onRequestStart: (controller) => {
        this.#inner = controller;
        const cancel = this.#cancel ?? (this.#aborted ? this.#reason : undefined);
        if (cancel !== undefined && cancel !== null) controller.abort(cancel);
        else if (this.#paused && !this.#buffering) controller.pause();
      },
      onResponseStart: (_controller, status, headers, message) => {
        if (this.#settled) return;
        this.#head = { status, headers, message };
        if (this.#buffering) return;
        this.#headSent = true;
        this.#done(!isFailureStatus(status));
        this.#handler.onResponseStart?.(this, status, headers, message);
      },
      onResponseData: (_controller, chunk) => {
        if (this.#settled) return;
        if (this.#buffering) this.#chunks.push(chunk);
        else this.#handler.onResponseData?.(this, chunk);
      },
      onResponseEnd: (_controller, trailers) => {
        if (this.#settled) return;
        this.#clearTimer();
        if (this.#buffering) {
          this.#finishBuffered(trailers);
          return;
        }
        this.#settled = true;
        this.#handler.onResponseEnd?.(this, trailers);
      },
      onResponseError: (_controller, error) => {
        this.#error(error);
      },
    };
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#scope.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  /** The call fails: with the status response the error describes, else with the error. */
  #failWith(error: Error): void {
    const response = this.#headSent ? undefined : statusResponse(error);
    if (response === undefined) {
      this.#error(error);
      return;
    }
    this.#clearTimer();
    this.#settled = true;
    this.#done(false);
    this.#handler.onResponseStart?.(this, response.status, response.headers, response.statusText);
    this.#handler.onResponseData?.(this, response.body);
    this.#handler.onResponseEnd?.(this, {});
  }

  #error(error: Error): void {
    if (this.#settled) return;
    this.#clearTimer();
    this.#settled = true;
    this.#done(false);
    this.#handler.onResponseError?.(this, error);
  }

  #finishBuffered(trailers: IncomingHttpHeaders): void {
    const head = this.#head;
    if (head === undefined) return;
    const body = Buffer.concat(this.#chunks);
    this.#chunks = [];
    const { cut, failAfter, transforms } = this.#effects;
    const scope = this.#scope;
    const lost = scope.active ? (cut?.error ?? failAfter) : undefined;
    if (lost !== undefined) {
      if (statusResponse(lost) !== undefined) {
        this.#failWith(lost);
        return;
      }
      // The connection drops mid-body: the headers and a prefix arrive, then the error. The
      // error must come on a later turn, or the caller's body stream never sees it.
      const kept = Math.floor(body.length * (cut?.fraction ?? dropFraction));
      this.#headSent = true;
      this.#done(false);
      this.#handler.onResponseStart?.(this, head.status, head.headers, head.message);
      if (kept > 0) this.#handler.onResponseData?.(this, body.subarray(0, kept));
      setImmediate(() => {
        this.#error(lost);
      });
      return;
    }
    let out = body;
    let headers = head.headers;
    if (transforms.length > 0 && !isEncoded(headers)) {
      let text = body.toString('utf8');
      for (const transform of transforms) {
        if (scope.active) text = transformText(text, transform);
      }
      out = Buffer.from(text);
      headers = { ...head.headers, 'content-length': String(out.length) };
    }
    this.#settled = true;
    this.#headSent = true;
    this.#done(!isFailureStatus(head.status));
    this.#handler.onResponseStart?.(this, head.status, headers, head.message);
    if (out.length > 0) this.#handler.onResponseData?.(this, out);
    this.#handler.onResponseEnd?.(this, trailers);
  }
}

function createInterceptor(
  options: FetchInterceptorOptions,
  isOn: () => boolean,
): Dispatcher.DispatcherComposeInterceptor {
  const operation = options.operation ?? 'fetch';
  return (next) => (dispatchOptions, handler) => {
    const scope = isOn() && dispatchOptions.upgrade == null ? activeScope() : undefined;
    if (scope === undefined) return next(dispatchOptions, handler);
    const plan = scope.plan(siteOf(operation, dispatchOptions));
    if (plan === undefined) {
      if (!scope.killSwitch.watching) return next(dispatchOptions, handler);
      return next(dispatchOptions, new TrackingHandler(handler, trackCall(scope)));
    }
    void new ChaosRequest(scope, plan, next, dispatchOptions, handler).start();
    return true;
  };
}

/**
 * An undici interceptor that brings the chaos scope in effect to every request through the
 * dispatcher it is composed onto (`agent.compose(chaosInterceptor())`). Outside an active scope
 * it hands requests straight on.
 *
 * Each request is a site `{ operation: 'fetch', url, host }`. What the faults do to it:
 * - `delay`/`hang`: the request waits (on the scope's clock) before it is sent; a hang ends when
 *   the caller aborts.
 * - `fail` with an HTTP status error (the `error` fault): a real response with its status,
 *   headers (`retry-after`, `retry-after-ms`) and JSON body; nothing is sent.
 * - `fail` with any other error (`network`: ECONNRESET, ECONNREFUSED, ENOTFOUND, ETIMEDOUT): the
 *   request fails with it before anything is sent (`fetch` rejects with `TypeError: fetch
 *   failed` whose `cause` is the error); a partition fails every request to the host.
 * - `fail-after` (a dropped connection), `crash-at`, `partial-write`: the request is sent and
 *   the response starts, then the body stops short (after half of it, or the fault's fraction)
 *   with the error (`TypeError: terminated` when read through `fetch`).
 * - `interrupt`: the request is cut off with the error if still running after `afterMs`.
 * - `transform` (hallucination, corruption): the body is altered (JSON text as JSON) and its
 *   `content-length` fixed; compressed bodies are left alone.
 *
 * @example
 * ```ts
 * import { Agent, setGlobalDispatcher } from 'undici';
 * setGlobalDispatcher(new Agent().compose(chaosInterceptor()));
 * ```
 */
export function chaosInterceptor(
  options: FetchInterceptorOptions = {},
): Dispatcher.DispatcherComposeInterceptor {
  return createInterceptor(options, () => true);
}

/**
 * Brings chaos to Node's global `fetch` (and every other client of undici's global dispatcher,
 * e.g. the OpenAI SDK) without touching application code: the current global dispatcher is
 * replaced by itself composed with {@link chaosInterceptor}. Inside a chaos scope requests get
 * the scope's faults; outside, they behave exactly as before.
 *
 * `uninstall()` restores the previous global dispatcher (unless something else has replaced
 * it since, in which case the interceptor just stops acting).
 *
 * @example
 * ```ts
 * const fetchChaos = installFetchInterceptor();
 * await chaos.run({ enabled: true, seed: 1, failureRate: 0.3, types: ['network'] }, () =>
 *   agent.run(task), // its fetch calls fail with ECONNRESET 30% of the time
 * );
 * fetchChaos.uninstall();
 * ```
 */
export function installFetchInterceptor(options: FetchInterceptorOptions = {}): InterceptorHandle {
  const previous = getGlobalDispatcher();
  let on = true;
  const composed = previous.compose(createInterceptor(options, () => on));
  setGlobalDispatcher(composed);
  return interceptorHandle(() => {
    on = false;
    if (getGlobalDispatcher() === composed) setGlobalDispatcher(previous);
  });
}
