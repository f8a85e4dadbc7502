import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isProxyApiError } from './api-error.ts';
import { checkAttributes, parseToxicInput, parseToxicUpdate, toxicTypes } from './toxic-schema.ts';
import type { ToxicType } from './client/types.ts';

describe('toxic schema', () => {
  it('fills every attribute with its default, in declaration order', () => {
    expect(parseToxicInput({ type: 'slicer' })).toMatchObject({
      name: 'slicer_downstream',
      stream: 'downstream',
      toxicity: 1,
      kind: 'tcp',
      attributes: { average_size: 0, size_variation: 0, delay: 0 },
    });
    expect(Object.keys(parseToxicInput({ type: 'http_status' }).attributes)).toEqual([
      'method',
      'path',
      'probability',
      'status',
      'retry_after',
      'retry_after_ms',
      'body',
      'content_type',
    ]);
    expect(parseToxicInput({ type: 'noop', stream: 'UPSTREAM' }).stream).toBe('upstream');
  });

  it('update merges attributes and keeps toxicity unless given', () => {
    const entry = parseToxicInput({
      type: 'latency',
      attributes: { latency: 5, jitter: 2 },
      toxicity: 0.3,
    });
    expect(parseToxicUpdate({ attributes: { jitter: 9 } }, entry)).toEqual({
      toxicity: 0.3,
      attributes: { latency: 5, jitter: 9 },
    });
  });

  it('an http_corrupt_field toxic needs its field', () => {
    expect(() => parseToxicInput({ type: 'http_corrupt_field' })).toThrow('missing required field');
  });

  it('property: any attributes object either validates fully or throws a 400 naming the attribute', () => {
    const types = Object.keys(toxicTypes) as ToxicType[];
    fc.assert(
      fc.property(
        fc.constantFrom(...types),
        fc.dictionary(
          fc.constantFrom(
            'latency',
            'jitter',
            'rate',
            'delay',
            'timeout',
            'bytes',
            'status',
            'mode',
            'probability',
            'events',
            'path',
            'x',
          ),
          fc.jsonValue(),
        ),
        (type, attributes) => {
          try {
            const result = checkAttributes(type, attributes);
            expect(Object.keys(result)).toEqual(Object.keys(toxicTypes[type].attributes));
          } catch (error) {
            expect(isProxyApiError(error)).toBe(true);
            if (!isProxyApiError(error)) return;
            expect(error.status).toBe(400);
            expect(error.message).toMatch(
              /attribute '\w+' of a \w+ toxic must be|missing required field/,
            );
          }
        },
      ),
    );
  });
});
