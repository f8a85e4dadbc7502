import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseSplitter, sseData } from './sse.ts';

describe('SseSplitter', () => {
  const text =
    'data: {"a":1}\n\nevent: x\r\ndata: two\r\ndata: lines\r\n\r\ndata: é\n\ndata: [DONE]\n\n';

  it('property: events come out whole and in order however the bytes are split', () => {
    const bytes = Buffer.from(text, 'utf8');
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 10 }),
        (cuts) => {
          const splitter = new SseSplitter();
          const events: string[] = [];
          let last = 0;
          for (const cut of [...cuts].sort((a, b) => a - b)) {
            events.push(...splitter.push(bytes.subarray(last, cut)));
            last = cut;
          }
          events.push(...splitter.push(bytes.subarray(last)));
          expect(events.join('')).toBe(text);
          expect(events.map(sseData)).toEqual(['{"a":1}', 'two\nlines', 'é', '[DONE]']);
          expect(splitter.rest()).toBe('');
        },
      ),
    );
  });

  it('keeps an unterminated tail for rest()', () => {
    const splitter = new SseSplitter();
    expect(splitter.push(Buffer.from('data: 1\n\ndata: 2'))).toEqual(['data: 1\n\n']);
    expect(splitter.rest()).toBe('data: 2');
    expect(sseData(': comment only\n\n')).toBeUndefined();
  });
});
