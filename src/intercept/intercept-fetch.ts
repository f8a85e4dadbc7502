import type { ChaosScope, InjectionPlan } from '../faults/index.ts';
import { activeScope, runOriginal, trackCall } from './active-scope.ts';
import { injecting, interruptAfter, nativeEffects, runWaits } from './apply-plan.ts';
import type { FetchInterceptorOptions } from './fetch-interceptor.ts';
import { statusResponse, transformText, type StatusResponse } from './payload.ts';

/** The shape of `fetch`: what {@link interceptFetch} wraps. */
export type FetchFunction = (
  input: string | URL | Request,
  init?: RequestInit,
) => Promise<Response>;

const isFailureStatus = (status: number): boolean => status === 429 || status >= 500;

/** How much of the body a dropped connection delivers when the fault names no fraction. */
const dropFraction = 0.5;

/** The error `fetch` rejects with when the network fails: `TypeError: fetch failed`. */
function fetchFailed(cause: Error): TypeError {
  return new TypeError('fetch failed', { cause });
}

function responseOf(status: StatusResponse): Response {
  return new Response(new Uint8Array(status.body), {
    status: status.status,
    statusText: status.statusText,
    headers: status.headers,
  });
}

/** A copy of `response` with another body (decoded, so without `content-encoding`). */
function withBody(
  response: Response,
  body: ConstructorParameters<typeof Response>[0],
  length: number | undefined,
): Response {
  const headers = new Headers(response.headers);
  if (headers.has('content-encoding')) {
    headers.delete('content-encoding');
    headers.delete('content-length');
  }
  if (length !== undefined) headers.set('content-length', String(length));
  const out = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
  Object.defineProperty(out, 'url', { value: response.url });
  Object.defineProperty(out, 'redirected', { value: response.redirected });
  return out;
}

async function applyFetchPlan(
  scope: ChaosScope,
  plan: InjectionPlan,
  call: () => Promise<Response>,
  signal: AbortSignal | undefined,
): Promise<{ response: Response; injected: boolean }> {
  const effects = nativeEffects(plan);
  try {
    await runWaits(scope, effects.waits, signal);
  } catch (error) {
    throw signal?.aborted === true && error === signal.reason ? error : fetchFailed(error as Error);
  }
  if (effects.fail !== undefined && scope.active) {
    const status = statusResponse(effects.fail);
    if (status === undefined) throw fetchFailed(effects.fail);
    return { response: responseOf(status), injected: true };
  }
  let work = call();
  const { interrupt } = effects;
  if (interrupt !== undefined && scope.active) {
    work = interruptAfter(scope, work, {
      afterMs: interrupt.afterMs,
      error: fetchFailed(interrupt.error),
    });
  }
  const response = await work;
  if (response.body === null || !scope.active) return { response, injected: false };
  const { cut, transforms } = effects;
  const lost = cut?.error ?? effects.failAfter;
  if (lost !== undefined) {
    const status = statusResponse(lost);
    if (status !== undefined) {
      await response.body.cancel();
      return { response: responseOf(status), injected: true };
    }
    const body = new Uint8Array(await response.arrayBuffer());
    const kept = body.subarray(0, Math.floor(body.length * (cut?.fraction ?? dropFraction)));
    const truncated = new ReadableStream<Uint8Array>({
      start(controller) {
        if (kept.length > 0) controller.enqueue(kept);
      },
      pull(controller) {
        controller.error(new TypeError('terminated', { cause: lost }));
      },
    });
    return { response: withBody(response, truncated, undefined), injected: true };
  }
  if (transforms.length === 0) return { response, injected: false };
  let text = await response.text();
  for (const transform of transforms) {
    if (injecting(scope)) text = transformText(text, transform);
  }
  return { response: withBody(response, text, Buffer.byteLength(text)), injected: false };
}

/**
 * Wraps a `fetch` implementation so that, inside a chaos scope, its calls get the scope's faults
 * as Node's fetch would show them (see `chaosInterceptor` for what each fault does): network
 * errors reject with `TypeError: fetch failed` (the injected error as `cause`), HTTP status
 * faults resolve to a real `Response`, dropped connections give a body that fails with
 * `TypeError: terminated`, transforms alter the body. Outside a scope it calls `fetchImpl`
 * unchanged. For clients that take a `fetch` option, or fetch implementations that do not go
 * through undici's global dispatcher; for Node's global `fetch` prefer `installFetchInterceptor`.
 * What `fetchImpl` itself does is not intercepted a second time, so the two can be combined.
 *
 * @example
 * ```ts
 * const openai = new OpenAI({ fetch: interceptFetch(fetch) });
 * ```
 */
export function interceptFetch<F extends FetchFunction>(
  fetchImpl: F,
  options: FetchInterceptorOptions = {},
): F {
  const operation = options.operation ?? 'fetch';
  const wrapped: FetchFunction = (input, init) => {
    const scope = activeScope();
    if (scope === undefined) return fetchImpl(input, init);
    const href = input instanceof Request ? input.url : input instanceof URL ? input.href : input;
    let host: string | undefined;
    try {
      host = new URL(href).hostname;
    } catch {
      host = undefined;
    }
    const plan = scope.plan(
      host === undefined ? { operation, url: href } : { operation, url: href, host },
    );
    // What fetchImpl does is not intercepted again (e.g. by the global dispatcher's interceptor).
    const call = (): Promise<Response> => runOriginal(() => fetchImpl(input, init));
    if (plan === undefined && !scope.killSwitch.watching) return call();
    const ended = trackCall(scope);
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    const work =
      plan === undefined
        ? call().then((response) => ({ response, injected: false }))
        : applyFetchPlan(scope, plan, call, signal ?? undefined);
    return work.then(
      ({ response, injected }) => {
        ended(!injected && !isFailureStatus(response.status));
        return response;
      },
      (error: unknown) => {
        ended(false);
        throw error;
      },
    );
  };
  return wrapped as F;
}
