import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom, VirtualClock } from '../../core/index.ts';
import { BandwidthStage, type BandwidthLine } from './bandwidth.ts';
import { LatencyStage } from './latency.ts';
import { LimitDataStage } from './limit-data.ts';
import { PacketLossStage } from './packet-loss.ts';
import { ResetPeerStage } from './reset-peer.ts';
import { SlicerStage, sliceBoundaries } from './slicer.ts';
import { SlowCloseStage } from './slow-close.ts';
import type { StageContext, StageTarget } from './stage.ts';
import { TimeoutStage } from './timeout.ts';

function harness(seed = 1): {
  clock: VirtualClock;
  ctx: StageContext & { discarded: number; resets: number };
  out: StageTarget;
  log: [number, string][];
  bytes: () => string;
} {
  const clock = new VirtualClock();
  const random = createRandom(seed);
  const log: [number, string][] = [];
  const ctx = {
    clock,
    discarded: 0,
    resets: 0,
    random: () => random,
    discard(n: number) {
      ctx.discarded += n;
    },
    reset() {
      ctx.resets++;
    },
  };
  const out: StageTarget = {
    write: (chunk) => log.push([clock.now(), chunk.toString('latin1')]),
    end: (kind) => log.push([clock.now(), `<end:${kind}>`]),
  };
  const bytes = (): string =>
    log
      .map(([, s]) => s)
      .filter((s) => !s.startsWith('<end'))
      .join('');
  return { clock, ctx, out, log, bytes };
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('latency', () => {
  it('delays every chunk by latency from its arrival, keeping order, end after data', async () => {
    const { clock, ctx, out, log } = harness();
    const stage = new LatencyStage(ctx, out).init({ latency: 100, jitter: 0 });
    stage.write(b('a'));
    await clock.advance(30);
    stage.write(b('b'));
    stage.end('eof');
    await clock.advance(69);
    expect(log).toEqual([]);
    await clock.advance(1);
    expect(log).toEqual([[100, 'a']]);
    await clock.advance(30);
    expect(log).toEqual([
      [100, 'a'],
      [130, 'b'],
      [130, '<end:eof>'],
    ]);
  });

  it('jitter stays within ±jitter and never reorders', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 50 }), fc.integer(), async (jitter, seed) => {
        const { clock, ctx, out, log } = harness(seed);
        const stage = new LatencyStage(ctx, out).init({ latency: 100, jitter });
        for (let i = 0; i < 20; i++) stage.write(b(String.fromCharCode(65 + i)));
        await clock.runUntilIdle();
        const times = log.map(([t]) => t);
        expect(log.map(([, s]) => s).join('')).toBe('ABCDEFGHIJKLMNOPQRST');
        expect(Math.min(...times)).toBeGreaterThanOrEqual(100 - jitter);
        expect(Math.max(...times)).toBeLessThanOrEqual(100 + jitter);
        expect([...times].sort((x, y) => x - y)).toEqual(times);
      }),
      { numRuns: 50 },
    );
  });

  it('remove() hands over everything held at once, in order, with the end', () => {
    const { ctx, out, log } = harness();
    const stage = new LatencyStage(ctx, out).init({ latency: 1000, jitter: 0 });
    stage.write(b('x'));
    stage.write(b('y'));
    stage.end('eof');
    stage.remove();
    expect(log).toEqual([
      [0, 'x'],
      [0, 'y'],
      [0, '<end:eof>'],
    ]);
    stage.write(b('z'));
    expect(log.at(-1)).toEqual([0, 'z']);
  });
});

describe('bandwidth', () => {
  it('lets out rate KB/s: 5000 bytes at 10 KB/s take 500 ms, in 100 ms slices', async () => {
    const { clock, ctx, out, log, bytes } = harness();
    const stage = new BandwidthStage(ctx, out).init({ rate: 10 });
    stage.write(b('x'.repeat(5000)));
    await clock.runUntilIdle();
    expect(bytes()).toHaveLength(5000);
    expect(log.map(([t]) => t)).toEqual([100, 200, 300, 400, 500]);
    expect(log.every(([, s]) => s.length === 1000)).toBe(true);
  });

  it('a shared line caps two stages together', async () => {
    const { clock, ctx, out, log } = harness();
    const line: BandwidthLine = { freeAt: 0 };
    const one = new BandwidthStage(ctx, out).init({ rate: 10 }, line);
    const two = new BandwidthStage(ctx, out).init({ rate: 10 }, line);
    one.write(b('a'.repeat(2000)));
    two.write(b('b'.repeat(2000)));
    await clock.runUntilIdle();
    expect(log.at(-1)?.[0]).toBe(400);
  });

  it('rate 0 is unlimited; remove() flushes the partly sent chunk rest', async () => {
    const { clock, ctx, out, bytes } = harness();
    const free = new BandwidthStage(ctx, out).init({ rate: 0 });
    free.write(b('abc'));
    expect(bytes()).toBe('abc');
    const slow = new BandwidthStage(ctx, out).init({ rate: 1 });
    slow.write(b('0123456789'.repeat(30)));
    await clock.advance(100);
    expect(bytes()).toBe(`abc${'0123456789'.repeat(10)}`);
    slow.remove();
    expect(bytes()).toBe(`abc${'0123456789'.repeat(30)}`);
  });
});

describe('slicer', () => {
  it('slices cover the data exactly, about average ± variation', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer(),
        (length, average, variation, seed) => {
          const random = createRandom(seed);
          const cuts = sliceBoundaries(length, average, variation, () => random);
          expect(cuts.at(-1)).toBe(length);
          let last = 0;
          for (const cut of cuts) {
            expect(cut).toBeGreaterThan(last);
            last = cut;
          }
        },
      ),
    );
  });

  it('sends slices delay µs apart', async () => {
    const { clock, ctx, out, log, bytes } = harness();
    const stage = new SlicerStage(ctx, out).init({
      average_size: 10,
      size_variation: 0,
      delay: 5000,
    });
    stage.write(b('y'.repeat(80)));
    await clock.runUntilIdle();
    expect(bytes()).toBe('y'.repeat(80));
    expect(log.length).toBeGreaterThanOrEqual(8);
    expect(log.map(([t]) => t)).toEqual(log.map((_, i) => i * 5));
  });
});

describe('timeout, reset_peer, slow_close, limit_data, packet_loss', () => {
  it('timeout drops data and closes after timeout ms', async () => {
    const { clock, ctx, out, log } = harness();
    const stage = new TimeoutStage(ctx, out).init({ timeout: 200 });
    stage.write(b('lost'));
    await clock.advance(199);
    expect(log).toEqual([]);
    expect(ctx.discarded).toBe(4);
    await clock.advance(1);
    expect(log).toEqual([[200, '<end:close>']]);
  });

  it('timeout 0 holds until removed, and removal closes (the stream lost bytes)', async () => {
    const { clock, ctx, out, log } = harness();
    const stage = new TimeoutStage(ctx, out).init({ timeout: 0 });
    stage.write(b('lost'));
    await clock.advance(10_000);
    expect(log).toEqual([]);
    stage.remove();
    expect(log).toEqual([[10_000, '<end:close>']]);
  });

  it('reset_peer resets timeout ms after the first data', async () => {
    const { clock, ctx, out } = harness();
    const stage = new ResetPeerStage(ctx, out).init({ timeout: 50 });
    await clock.advance(100);
    expect(ctx.resets).toBe(0);
    stage.write(b('x'));
    await clock.advance(49);
    expect(ctx.resets).toBe(0);
    await clock.advance(1);
    expect(ctx.resets).toBe(1);
  });

  it('slow_close holds the end back delay ms; removal releases it', async () => {
    const { clock, ctx, out, log } = harness();
    const stage = new SlowCloseStage(ctx, out).init({ delay: 300 });
    stage.write(b('d'));
    stage.end('eof');
    await clock.advance(299);
    expect(log).toEqual([[0, 'd']]);
    await clock.advance(1);
    expect(log.at(-1)).toEqual([300, '<end:eof>']);
    const second = harness();
    const held = new SlowCloseStage(second.ctx, second.out).init({ delay: 300 });
    held.end('eof');
    held.remove();
    expect(second.log).toEqual([[0, '<end:eof>']]);
  });

  it('limit_data passes exactly bytes, then closes', () => {
    const { ctx, out, log, bytes } = harness();
    const stage = new LimitDataStage(ctx, out).init({ bytes: 5 });
    stage.write(b('abc'));
    stage.write(b('defg'));
    stage.write(b('hij'));
    expect(bytes()).toBe('abcde');
    expect(log.filter(([, s]) => s.startsWith('<end'))).toEqual([[0, '<end:close>']]);
    expect(ctx.discarded).toBe(5);
  });

  it('packet_loss stalls the chosen chunks and everything behind them', async () => {
    const { clock, ctx, out, log } = harness(3);
    const stage = new PacketLossStage(ctx, out).init({ probability: 1, stall: 200 });
    stage.write(b('a'));
    await clock.advance(50);
    stage.write(b('b'));
    await clock.runUntilIdle();
    expect(log).toEqual([
      [200, 'a'],
      [250, 'b'],
    ]);
    const none = harness();
    const clean = new PacketLossStage(none.ctx, none.out).init({ probability: 0, stall: 200 });
    clean.write(b('a'));
    expect(none.log).toEqual([[0, 'a']]);
  });
});
