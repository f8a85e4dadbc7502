import { describe, expect, it } from 'vitest';
import { HttpStatusError } from '../faults/index.ts';
import { statusResponse, transformContent, transformText } from './payload.ts';

describe('statusResponse', () => {
  it('builds the response an HTTP status error describes', () => {
    const error = new HttpStatusError('slow down', {
      status: 429,
      statusText: 'Too Many Requests',
      code: 'rate_limit_exceeded',
      type: 'rate_limit_error',
      retryAfterMs: 2500,
    });
    const response = statusResponse(error);
    const body = JSON.stringify({
      error: { message: 'slow down', type: 'rate_limit_error', code: 'rate_limit_exceeded' },
    });
    expect(response).toEqual({
      status: 429,
      statusText: 'Too Many Requests',
      headers: {
        'content-type': 'application/json',
        'retry-after': '3',
        'retry-after-ms': '2500',
        'content-length': String(body.length),
      },
      body: Buffer.from(body),
    });
  });

  it('fills the reason phrase and body of a bare status error', () => {
    const error = Object.assign(new Error('down'), { status: 503 });
    const response = statusResponse(error);
    expect(response?.statusText).toBe('Service Unavailable');
    expect(response?.body.toString()).toBe('{"error":{"message":"down"}}');
  });

  it('is undefined for other errors', () => {
    expect(statusResponse(new Error('x'))).toBeUndefined();
    expect(statusResponse(Object.assign(new Error('x'), { status: 200 }))).toBeUndefined();
  });
});

describe('transformContent', () => {
  const upper = (v: unknown): unknown => (typeof v === 'string' ? v.toUpperCase() : v);

  it('works on text, Buffers (as UTF-8) and lists, and leaves other values alone', () => {
    expect(transformContent('abc', upper)).toBe('ABC');
    expect(transformContent(Buffer.from('abc'), upper)).toEqual(Buffer.from('ABC'));
    expect(transformContent(['b', 'a'], (v) => [...(v as string[])].reverse())).toEqual(['a', 'b']);
    const stats = { size: 3 };
    expect(transformContent(stats, () => ({}))).toBe(stats);
  });

  it('serialises a non-text result as JSON', () => {
    expect(transformText('{"a":1}', () => ({ a: 2 }))).toBe('{"a":2}');
    expect(transformText('x', () => undefined)).toBe('');
  });
});
