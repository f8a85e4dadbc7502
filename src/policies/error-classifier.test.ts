import { describe, expect, it } from 'vitest';
import {
  BulkheadRejectedError,
  CircuitOpenError,
  RateLimitedError,
  TimeoutError,
} from '../core/index.ts';
import { defaultErrorClassifier as classify } from './error-classifier.ts';

const withFields = (message: string, fields: Record<string, unknown>) =>
  Object.assign(new Error(message), fields);

describe('defaultErrorClassifier', () => {
  it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN'])(
    'classifies %s as network, on the error or its cause',
    (code) => {
      expect(classify(withFields(code, { code }))).toBe('network');
      expect(classify(new TypeError('fetch failed', { cause: withFields('x', { code }) }))).toBe(
        'network',
      );
    },
  );

  it('classifies HTTP statuses', () => {
    expect(classify(withFields('x', { status: 429 }))).toBe('rateLimit');
    expect(classify(withFields('x', { statusCode: 401 }))).toBe('auth');
    expect(classify(withFields('x', { status: 403 }))).toBe('auth');
    expect(classify(withFields('x', { status: 500 }))).toBe('server');
    expect(classify(withFields('x', { status: 529 }))).toBe('server');
    expect(classify(withFields('x', { response: { status: 503 } }))).toBe('server');
    expect(classify(withFields('x', { status: '502' }))).toBe('server');
    expect(classify(withFields('x', { status: 408 }))).toBe('timeout');
    expect(classify(withFields('x', { status: 404 }))).toBe('client');
    expect(classify(withFields('x', { status: 422 }))).toBe('client');
  });

  it('recognises context-length errors before their 400 status', () => {
    expect(
      classify(withFields("This model's maximum context length is 128000 tokens", { status: 400 })),
    ).toBe('contextLength');
    expect(classify(withFields('bad', { status: 400, code: 'context_length_exceeded' }))).toBe(
      'contextLength',
    );
    expect(classify(new Error('prompt is too long: 210000 tokens > 200000 maximum'))).toBe(
      'contextLength',
    );
  });

  it("classifies faultline's own refusals", () => {
    expect(classify(new RateLimitedError('slow', 10))).toBe('rateLimit');
    expect(classify(new CircuitOpenError('open', 10))).toBe('unavailable');
    expect(classify(new BulkheadRejectedError('full', 1, 0))).toBe('unavailable');
    expect(classify(new TimeoutError('late', 100))).toBe('timeout');
  });

  it('classifies timeouts and validation failures by name', () => {
    expect(classify(new DOMException('timed out', 'TimeoutError'))).toBe('timeout');
    expect(classify(withFields('x', { code: 'UND_ERR_HEADERS_TIMEOUT' }))).toBe('timeout');
    expect(classify(new SyntaxError('Unexpected token } in JSON'))).toBe('validation');
    expect(classify(withFields('x', { name: 'AI_TypeValidationError' }))).toBe('validation');
    expect(classify(withFields('x', { name: 'ZodError' }))).toBe('validation');
  });

  it('treats an exhausted quota as auth (not worth retrying)', () => {
    expect(classify(withFields('quota', { status: 429, code: 'insufficient_quota' }))).toBe('auth');
    expect(classify(withFields('insufficient_quota: the budget is spent', { status: 429 }))).toBe(
      'auth',
    );
    expect(
      classify(withFields('You exceeded your current quota, check your plan', { status: 429 })),
    ).toBe('auth');
    expect(classify(withFields('Rate limit reached for requests', { status: 429 }))).toBe(
      'rateLimit',
    );
  });

  it('returns unknown for anything else, including non-errors and cycles', () => {
    expect(classify(new Error('mystery'))).toBe('unknown');
    expect(classify('string')).toBe('unknown');
    expect(classify(null)).toBe('unknown');
    const cyclic: Record<string, unknown> = { message: 'loop' };
    cyclic.cause = cyclic;
    expect(classify(cyclic)).toBe('unknown');
  });
});
