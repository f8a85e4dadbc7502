import { describe, expect, it } from 'vitest';
import { CircuitOpenError, createRandom, RateLimitedError } from '../core/index.ts';
import { constant } from './constant.ts';
import { delayFromError, retryAfterFrom } from './delay-from-error.ts';
import type { ScheduleInput } from './types.ts';

const now = Date.UTC(2026, 10, 20, 12, 0, 0);

function input(failure: { error?: unknown; result?: unknown }, nowMs = now): ScheduleInput {
  return {
    attempt: 1,
    elapsedMs: 0,
    nowMs,
    previousDelayMs: 0,
    random: createRandom(1),
    ...failure,
  };
}

function httpError(headers: unknown, key: 'headers' | 'responseHeaders' = 'headers'): Error {
  return Object.assign(new Error('HTTP 429'), { status: 429, [key]: headers });
}

describe('retryAfterFrom', () => {
  it('reads Retry-After seconds from a plain header object, case-insensitively', () => {
    expect(retryAfterFrom(httpError({ 'Retry-After': '7' }), now)).toBe(7000);
    expect(retryAfterFrom(httpError({ 'retry-after': '1.5' }), now)).toBe(1500);
  });

  it('reads a Headers instance', () => {
    expect(retryAfterFrom(httpError(new Headers({ 'Retry-After': '3' })), now)).toBe(3000);
  });

  it('prefers retry-after-ms over Retry-After', () => {
    const headers = new Headers({ 'retry-after-ms': '250', 'retry-after': '10' });
    expect(retryAfterFrom(httpError(headers), now)).toBe(250);
  });

  it('turns an HTTP date into a delay from nowMs (0 when in the past)', () => {
    const at = new Date(now + 90_000).toUTCString();
    expect(retryAfterFrom(httpError({ 'retry-after': at }), now)).toBe(90_000);
    expect(retryAfterFrom(httpError({ 'retry-after': at }), now + 200_000)).toBe(0);
  });

  it('reads array header values (node IncomingHttpHeaders) and numbers', () => {
    expect(retryAfterFrom(httpError({ 'retry-after': ['4', '9'] }), now)).toBe(4000);
    expect(retryAfterFrom(httpError({ 'retry-after-ms': 40 }), now)).toBe(40);
  });

  it('reads responseHeaders (AI SDK APICallError) and nested response / cause', () => {
    expect(retryAfterFrom(httpError({ 'retry-after': '2' }, 'responseHeaders'), now)).toBe(2000);
    const axiosLike = { response: { status: 429, headers: { 'retry-after': '5' } } };
    expect(retryAfterFrom(axiosLike, now)).toBe(5000);
    const wrapped = new Error('wrapped', { cause: httpError({ 'retry-after': '6' }) });
    expect(retryAfterFrom(wrapped, now)).toBe(6000);
  });

  it("reads faultline's retryAfterMs (CircuitOpenError, RateLimitedError); 0 means unknown", () => {
    expect(retryAfterFrom(new CircuitOpenError('open', 1234), now)).toBe(1234);
    expect(retryAfterFrom(new RateLimitedError('slow down', 800), now)).toBe(800);
    expect(retryAfterFrom(new CircuitOpenError('isolated', 0), now)).toBeUndefined();
  });

  it('ignores garbage and missing hints', () => {
    expect(retryAfterFrom(httpError({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterFrom(httpError({ 'retry-after': '-3' }), now)).toBeUndefined();
    expect(retryAfterFrom(httpError({ 'retry-after-ms': 'x' }), now)).toBeUndefined();
    expect(retryAfterFrom(new Error('plain'), now)).toBeUndefined();
    expect(retryAfterFrom('string error', now)).toBeUndefined();
    expect(retryAfterFrom(undefined, now)).toBeUndefined();
  });

  it('stops following causes after two levels (no endless loop on a cycle)', () => {
    const a: { cause?: unknown } = {};
    a.cause = a;
    expect(retryAfterFrom(a, now)).toBeUndefined();
  });
});

describe('delayFromError', () => {
  it('uses the hint when the failure has one, the fallback otherwise', () => {
    const schedule = delayFromError({ fallback: constant(60_000) });
    expect(schedule(input({ error: httpError({ 'retry-after': '12' }) }))).toBe(12_000);
    expect(schedule(input({ error: new Error('no hint') }))).toBe(60_000);
  });

  it('reads a retried result such as a 429 Response', () => {
    const schedule = delayFromError({ fallback: constant(1) });
    const response = new Response(null, { status: 429, headers: { 'Retry-After': '2' } });
    expect(schedule(input({ result: response }))).toBe(2000);
  });

  it('caps hints at maxDelayMs (60 s by default)', () => {
    expect(delayFromError()(input({ error: httpError({ 'retry-after': '3600' }) }))).toBe(60_000);
    expect(
      delayFromError({ maxDelayMs: 5000 })(input({ error: httpError({ 'retry-after': '10' }) })),
    ).toBe(5000);
  });

  it("gives up on a hint above the cap with aboveMax: 'stop'", () => {
    const schedule = delayFromError({ maxDelayMs: 5000, aboveMax: 'stop' });
    expect(schedule(input({ error: httpError({ 'retry-after': '10' }) }))).toBeUndefined();
    expect(schedule(input({ error: httpError({ 'retry-after': '5' }) }))).toBe(5000);
  });

  it('defaults the fallback to jittered exponential backoff', () => {
    const delay = delayFromError()(input({ error: new Error('x') }));
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThan(200);
  });

  it('rejects bad options', () => {
    expect(() => delayFromError({ fallback: 3 as never })).toThrow(
      "delayFromError: option 'fallback' must be a function, got 3",
    );
    expect(() => delayFromError({ maxDelayMs: -1 })).toThrow(/'maxDelayMs'/);
    expect(() => delayFromError({ aboveMax: 'wait' as never })).toThrow(
      /'aboveMax' must be one of 'cap', 'stop', got "wait"/,
    );
  });
});
