import { describe, expect, it } from 'vitest';
import { VirtualClock, createRandom } from '../../core/index.ts';
import { createFault } from '../registry.ts';

function transformOf(spec: Record<string, unknown>, seed = 'c'): (value: unknown) => unknown {
  const fault = createFault({ kind: 'message-corruption', ...spec });
  const random = createRandom(seed);
  return (value) => {
    const effect = fault.effect({
      site: { operation: 'msg' },
      random,
      clock: new VirtualClock(),
      now: 0,
      seed,
      state: new Map(),
    });
    if (effect?.type !== 'transform') throw new Error('expected a transform');
    return effect.transform(value);
  };
}

const message = {
  from: 'product',
  to: 'marketing',
  body: { title: 'Trail Shoe', price: 129.99, tags: ['a', 'b'] },
};

async function collect(iterable: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function* stream(n: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) yield i;
}

describe('corruption fault', () => {
  it('corrupt-fields garbles the named fields', () => {
    const out = transformOf({ mode: 'corrupt-fields', fields: ['body.title', 'body.price'] })(
      message,
    ) as typeof message;
    expect(out.body.title).toContain('\uFFFD');
    expect(out.body.price).toBeNull();
    expect(out.from).toBe('product');
    expect(message.body.title).toBe('Trail Shoe');
  });

  it('flip-types changes JSON types', () => {
    const out = transformOf({ mode: 'flip-types', fields: ['body.price', 'body.tags', 'from'] })(
      message,
    ) as Record<string, unknown> & { body: Record<string, unknown> };
    expect(out.body.price).toBe('129.99');
    expect(out.body.tags).toEqual({ 0: 'a', 1: 'b' });
    expect(out.from).toBe(7);
  });

  it('drop-fields removes fields', () => {
    const out = transformOf({ mode: 'drop-fields', fields: ['to', 'body.tags.*'] })(
      message,
    ) as Record<string, unknown> & { body: { tags: unknown[] } };
    expect('to' in out).toBe(false);
    expect(out.body.tags).toEqual([]);
  });

  it('truncate returns the serialised message cut short', () => {
    const out = transformOf({ mode: 'truncate', fraction: 0.5 })(message) as string;
    const full = JSON.stringify(message);
    expect(out).toBe(full.slice(0, Math.floor(full.length / 2)));
    expect(() => JSON.parse(out) as unknown).toThrow();
  });

  it('invalid-json never parses', () => {
    const corrupt = transformOf({ mode: 'invalid-json' });
    for (const value of [message, [], {}, 5, 'text', '{"a":1}', true, null]) {
      const out = corrupt(value);
      expect(typeof out).toBe('string');
      expect(
        () => JSON.parse(out as string) as unknown,
        `${JSON.stringify(value)} -> ${String(out)}`,
      ).toThrow();
    }
  });

  it('reorder delivers a sequence out of order, same items', () => {
    const out = transformOf({ mode: 'reorder' })([1, 2, 3, 4, 5]) as number[];
    expect(out).not.toEqual([1, 2, 3, 4, 5]);
    expect(out.slice().sort()).toEqual([1, 2, 3, 4, 5]);
    const two = transformOf({ mode: 'reorder' })(['a', 'b']);
    expect(two).toEqual(['b', 'a']);
  });

  it('reorder and duplicate work on async streams', async () => {
    const reordered = (await collect(
      transformOf({ mode: 'reorder' })(stream(6)) as AsyncIterable<unknown>,
    )) as number[];
    expect(reordered).not.toEqual([0, 1, 2, 3, 4, 5]);
    expect(reordered.slice().sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const duplicated = (await collect(
      transformOf({ mode: 'duplicate' })(stream(4)) as AsyncIterable<unknown>,
    )) as number[];
    expect(duplicated.length).toBeGreaterThan(4);
    expect(new Set(duplicated)).toEqual(new Set([0, 1, 2, 3]));
  });

  it('duplicate repeats items of an array inside a message', () => {
    const out = transformOf({ mode: 'duplicate', fields: ['body.tags'] })(
      message,
    ) as typeof message;
    expect(out.body.tags.length).toBeGreaterThan(2);
  });

  it('inconsistent gives a different answer on each call', () => {
    const answer = transformOf({ mode: 'inconsistent' });
    const answers = Array.from({ length: 5 }, () =>
      JSON.stringify(answer({ total: 120, currency: 'EUR', ok: true })),
    );
    expect(new Set(answers).size).toBeGreaterThan(1);
    expect(
      answers.every((a) => a !== JSON.stringify({ total: 120, currency: 'EUR', ok: true })),
    ).toBe(true);
  });

  it('rejects unknown modes', () => {
    expect(() => createFault({ kind: 'corruption', mode: ['truncate', 'shred'] })).toThrow(
      /got "shred"/,
    );
  });
});
