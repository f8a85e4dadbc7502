import { describe, expect, it } from 'vitest';
import { createRandom, VirtualClock } from '../../core/index.ts';
import { HttpStatusError, isHttpStatusError } from '../errors/http-status-error.ts';
import { createFault } from '../registry.ts';
import type { FaultContext } from '../types.ts';

function fail(spec: Record<string, unknown>, seed = 's'): HttpStatusError {
  const fault = createFault({ kind: 'error', ...spec });
  const context: FaultContext = {
    site: { operation: 'llm' },
    random: createRandom(seed),
    clock: new VirtualClock(),
    now: 0,
    seed,
    state: new Map(),
  };
  const effect = fault.effect(context);
  if (effect?.type !== 'fail') throw new Error('expected a fail effect');
  if (!(effect.error instanceof HttpStatusError)) throw new Error('expected an HttpStatusError');
  return effect.error;
}

describe('error fault', () => {
  it('429 carries Retry-After for retry classifiers', () => {
    const error = fail({ type: 'rate-limited', retryAfterMs: 2500 });
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(isHttpStatusError(error)).toBe(true);
    expect(error.status).toBe(429);
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.retryAfterMs).toBe(2500);
    expect(error.headers['retry-after']).toBe('3');
    expect(error.headers['retry-after-ms']).toBe('2500');
    expect(error.body.error.code).toBe('rate_limit_exceeded');
  });

  it('429 waits 1 s by default', () => {
    expect(fail({ type: 'rate-limited' }).retryAfterMs).toBe(1000);
  });

  it.each([
    ['internal', 500, 'server_error'],
    ['bad-gateway', 502, 'bad_gateway'],
    ['unavailable', 503, 'service_unavailable'],
    ['gateway-timeout', 504, 'gateway_timeout'],
    ['unauthorized', 401, 'invalid_api_key'],
    ['forbidden', 403, 'permission_denied'],
    ['context-length-exceeded', 400, 'context_length_exceeded'],
    ['budget-exhausted', 429, 'insufficient_quota'],
  ])('%s -> %i %s', (type, status, code) => {
    const error = fail({ type });
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.message).toContain(String(status));
    if (type !== 'rate-limited') expect(error.headers['retry-after']).toBeUndefined();
  });

  it('infers the type from a status and accepts a custom status', () => {
    expect(fail({ status: 502 }).code).toBe('bad_gateway');
    const teapot = fail({ status: 418, message: 'short and stout' });
    expect(teapot.status).toBe(418);
    expect(teapot.message).toBe('short and stout');
  });

  it('picks among several types per injection, reproducibly', () => {
    const statuses = (seed: string): number[] => {
      const fault = createFault({
        kind: 'error',
        type: ['internal', 'bad-gateway', 'unavailable'],
      });
      const random = createRandom(seed);
      const context = {
        site: { operation: 'x' },
        random,
        clock: new VirtualClock(),
        now: 0,
        seed,
        state: new Map(),
      };
      return Array.from({ length: 30 }, () => {
        const effect = fault.effect(context);
        return effect?.type === 'fail' ? (effect.error as Error & { status: number }).status : 0;
      });
    };
    expect(new Set(statuses('a'))).toEqual(new Set([500, 502, 503]));
    expect(statuses('a')).toEqual(statuses('a'));
  });

  it('rejects unknown types and statuses outside 400..599', () => {
    expect(() => createFault({ kind: 'error', type: 'flaky' })).toThrow(
      /option 'type' must be one of 'rate-limited'/,
    );
    expect(() => createFault({ kind: 'error', status: 200 })).toThrow(
      /option 'status' must be an integer >= 400 <= 599, got 200/,
    );
  });
});
