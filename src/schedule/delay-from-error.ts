import { assertFunction, assertOneOf } from '../core/index.ts';
import { exponential } from './exponential.ts';
import { fullJitter } from './full-jitter.ts';
import { assertCap } from './limits.ts';
import type { Schedule } from './types.ts';

/** Options of {@link delayFromError}. */
export interface DelayFromErrorOptions {
  /**
   * Used when the failure carries no delay hint.
   * @default fullJitter(exponential())
   */
  fallback?: Schedule;
  /**
   * Largest hinted delay honoured as is, in milliseconds (`Infinity` for none). Applies to hints
   * only; the fallback keeps its own limits.
   * @default 60_000
   */
  maxDelayMs?: number;
  /**
   * What to do with a hint above `maxDelayMs`: `'cap'` waits `maxDelayMs`, `'stop'` gives up
   * (retrying before the server is ready would only fail again).
   * @default 'cap'
   */
  aboveMax?: 'cap' | 'stop';
}

/**
 * Waits as long as the failure says: a `retryAfterMs` property (faultline's `CircuitOpenError`
 * and `RateLimitedError`), or the `retry-after-ms` or `Retry-After` header (seconds or an HTTP
 * date) found on the error's `headers` (a `Headers` or a plain object) or `responseHeaders`,
 * on its `response`, or on its `cause`. A result being retried (say a `Response` with status
 * 429) is read the same way. Without a hint it defers to `fallback`.
 *
 * @example
 * ```ts
 * // Rate limits: honour Retry-After up to 2 minutes, otherwise wait a fixed 60 s.
 * delayFromError({ fallback: constant(60_000), maxDelayMs: 120_000 });
 * ```
 */
export function delayFromError(options: DelayFromErrorOptions = {}): Schedule {
  const fallback = assertFunction(
    'delayFromError',
    'fallback',
    options.fallback ?? fullJitter(exponential()),
  );
  const max = assertCap('delayFromError', 'maxDelayMs', options.maxDelayMs ?? 60_000);
  const stop =
    assertOneOf('delayFromError', 'aboveMax', options.aboveMax ?? 'cap', ['cap', 'stop']) ===
    'stop';
  return (input) => {
    const hint = retryAfterFrom(
      input.error !== undefined ? input.error : input.result,
      input.nowMs,
    );
    if (hint === undefined) return fallback(input);
    if (hint > max) return stop ? undefined : max;
    return hint;
  };
}

/**
 * The delay, in milliseconds, that a failure (or a response) asks for before the next attempt,
 * or `undefined` when it carries no hint. See {@link delayFromError} for where it looks.
 * `nowMs` is needed to turn an HTTP-date `Retry-After` into a delay.
 */
export function retryAfterFrom(source: unknown, nowMs: number): number | undefined {
  return hintOf(source, nowMs, 0);
}

function hintOf(source: unknown, nowMs: number, depth: number): number | undefined {
  if (typeof source !== 'object' || source === null) return undefined;
  const value = source as Record<string, unknown>;
  const ms = value.retryAfterMs;
  // 0 means "unknown" on a breaker isolated by hand, so only a positive value is a hint.
  if (typeof ms === 'number' && Number.isFinite(ms) && ms > 0) return ms;
  const hint = fromHeaders(value.headers, nowMs) ?? fromHeaders(value.responseHeaders, nowMs);
  if (hint !== undefined || depth >= 2) return hint;
  return hintOf(value.response, nowMs, depth + 1) ?? hintOf(value.cause, nowMs, depth + 1);
}

function fromHeaders(headers: unknown, nowMs: number): number | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && decimal.test(ms)) return Number(ms);
  const after = header(headers, 'retry-after');
  if (after === undefined) return undefined;
  if (decimal.test(after)) return Number(after) * 1000;
  // An HTTP date always names a weekday or month; this keeps Date.parse away from '-3' or '2026'.
  const date = httpDateShape.test(after) ? Date.parse(after) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

const decimal = /^\s*\d+(?:\.\d+)?\s*$/;
const httpDateShape = /[a-z]{3}/i;

function header(headers: object, name: string): string | undefined {
  let raw: unknown;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') {
    raw = (get as (key: string) => unknown).call(headers, name);
  } else {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === name) {
        raw = (headers as Record<string, unknown>)[key];
        break;
      }
    }
  }
  if (Array.isArray(raw)) raw = raw[0];
  if (typeof raw === 'number') return String(raw);
  return typeof raw === 'string' ? raw : undefined;
}
