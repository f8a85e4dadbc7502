import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom, VirtualClock } from '../core/index.ts';
import { Link, Valve } from './link.ts';
import { parseToxicInput, type ToxicEntry } from './toxic-schema.ts';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(): {
  clock: VirtualClock;
  source: PassThrough;
  dest: PassThrough;
  link: Link;
  received: () => Buffer;
  closes: { count: number };
} {
  const clock = new VirtualClock();
  const random = createRandom(7);
  const source = new PassThrough();
  const dest = new PassThrough();
  const chunks: Buffer[] = [];
  dest.on('data', (c: Buffer) => chunks.push(c));
  const closes = { count: 0 };
  const link = new Link(
    {
      clock,
      random: () => random,
      close: () => {
        closes.count++;
      },
      reset: () => undefined,
      closing: false,
    },
    'downstream',
    source as unknown as Socket,
    dest as unknown as Socket,
    new Valve(source as unknown as Socket),
    'source',
  );
  return { clock, source, dest, link, received: () => Buffer.concat(chunks), closes };
}

const toxic = (body: object): ToxicEntry => parseToxicInput(body);

describe('Link', () => {
  it('pipes directly without toxics and builds a chain only while one applies', async () => {
    const { clock, source, link, received } = setup();
    link.start([]);
    expect(link.mode).toBe('direct');
    source.write('a');
    await tick();
    const latency = toxic({ type: 'latency', attributes: { latency: 100 } });
    link.sync([latency]);
    expect(link.mode).toBe('chain');
    source.write('b');
    await tick();
    expect(received().toString()).toBe('a');
    await clock.advance(100);
    expect(received().toString()).toBe('ab');
    link.sync([]);
    expect(link.mode).toBe('direct');
    source.write('c');
    await tick();
    expect(received().toString()).toBe('abc');
  });

  it('a toxic that does not draw (toxicity 0) keeps the direct pipe', () => {
    const { link } = setup();
    link.start([toxic({ type: 'latency', toxicity: 0, attributes: { latency: 100 } })]);
    expect(link.mode).toBe('direct');
    expect(link.toxicCount).toBe(0);
  });

  it('ignores toxics of the other direction', () => {
    const { link } = setup();
    link.start([toxic({ type: 'latency', stream: 'upstream', attributes: { latency: 100 } })]);
    expect(link.mode).toBe('direct');
  });

  it('removing a held stage flushes into the next one, in order', async () => {
    const { clock, source, link, received } = setup();
    const slow = toxic({ name: 'slow', type: 'latency', attributes: { latency: 1000 } });
    const slower = toxic({ name: 'slower', type: 'latency', attributes: { latency: 50 } });
    link.start([slow, slower]);
    source.write('1');
    await tick();
    await clock.advance(1000);
    source.write('2');
    await tick();
    // '1' sits in `slower` (50 ms), '2' in `slow` (1000 ms). Removing `slow` sends '2' to
    // `slower`, behind '1'.
    link.sync([slower]);
    await clock.advance(49);
    expect(received().toString()).toBe('');
    await clock.advance(1);
    expect(received().toString()).toBe('12');
  });

  it('property: any sequence of writes and toxic changes delivers every byte once, in order', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('write' as const), size: fc.integer({ min: 1, max: 300 }) }),
      fc.record({
        kind: fc.constant('add' as const),
        body: fc.oneof(
          fc.record({
            type: fc.constant('latency'),
            attributes: fc.record({
              latency: fc.integer({ min: 0, max: 50 }),
              jitter: fc.integer({ min: 0, max: 10 }),
            }),
          }),
          fc.record({
            type: fc.constant('bandwidth'),
            attributes: fc.record({ rate: fc.integer({ min: 1, max: 20 }) }),
          }),
          fc.record({
            type: fc.constant('slicer'),
            attributes: fc.record({
              average_size: fc.integer({ min: 1, max: 40 }),
              size_variation: fc.integer({ min: 0, max: 5 }),
              delay: fc.integer({ min: 0, max: 3000 }),
            }),
          }),
          fc.record({
            type: fc.constant('packet_loss'),
            attributes: fc.record({
              probability: fc.double({ min: 0, max: 1, noNaN: true }),
              stall: fc.integer({ min: 0, max: 40 }),
            }),
          }),
          fc.record({ type: fc.constant('noop') }),
        ),
      }),
      fc.record({ kind: fc.constant('remove' as const), index: fc.nat() }),
      fc.record({
        kind: fc.constant('update' as const),
        index: fc.nat(),
        latency: fc.integer({ min: 0, max: 30 }),
      }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 80 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const { clock, source, link, received } = setup();
        let toxics: ToxicEntry[] = [];
        let sent = Buffer.alloc(0);
        let counter = 0;
        let id = 0;
        link.start([]);
        for (const o of ops) {
          if (o.kind === 'write') {
            const chunk = Buffer.alloc(o.size);
            for (let i = 0; i < o.size; i++) chunk[i] = counter++ % 251;
            sent = Buffer.concat([sent, chunk]);
            source.write(chunk);
            await tick();
          } else if (o.kind === 'add') {
            toxics = [...toxics, toxic({ ...o.body, name: `t${id++}` })];
            link.sync(toxics);
          } else if (o.kind === 'remove' && toxics.length > 0) {
            toxics = toxics.filter((_, i) => i !== o.index % toxics.length);
            link.sync(toxics);
          } else if (o.kind === 'update' && toxics.length > 0) {
            const entry = toxics[o.index % toxics.length]!;
            if (entry.type === 'latency') {
              entry.attributes = { ...entry.attributes, latency: o.latency };
              entry.version++;
              link.sync(toxics);
            }
          } else if (o.kind === 'advance') {
            await clock.advance(o.ms);
          }
        }
        link.sync([]);
        await tick();
        await clock.runUntilIdle();
        expect(received().equals(sent)).toBe(true);
        expect(link.mode).toBe('direct');
      }),
      { numRuns: 150, seed: 11 },
    );
  });

  it('a toxic close travels the chain behind the data and then closes the connection', async () => {
    const { clock, source, link, received, closes } = setup();
    link.start([
      toxic({ name: 'limit', type: 'limit_data', attributes: { bytes: 3 } }),
      toxic({ name: 'lag', type: 'latency', attributes: { latency: 20 } }),
    ]);
    source.write('abcdef');
    await tick();
    expect(closes.count).toBe(0);
    await clock.advance(20);
    expect(received().toString()).toBe('abc');
    expect(closes.count).toBe(1);
  });
});
