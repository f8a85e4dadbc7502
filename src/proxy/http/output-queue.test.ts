import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/index.ts';
import { parseToxicInput, type ToxicEntry } from '../toxic-schema.ts';
import { OutputQueue } from './output-queue.ts';

describe('OutputQueue', () => {
  it('passes bytes straight through while idle, orders them behind waits and holds', async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    let alive: ToxicEntry[] = [];
    const queue = new OutputQueue(clock, {
      write: (c) => log.push(`${clock.now()}:${c.toString()}`),
      end: () => log.push(`${clock.now()}:end`),
      close: () => log.push(`${clock.now()}:close`),
      pressure: () => undefined,
      alive: (e) => alive.includes(e),
    });
    queue.write(Buffer.from('a'));
    expect(log).toEqual(['0:a']);
    queue.wait(100);
    queue.write(Buffer.from('b'));
    const stall = parseToxicInput({ type: 'http_stall' });
    alive = [stall];
    queue.hold(stall);
    queue.write(Buffer.from('c'));
    queue.end();
    await clock.advance(100);
    expect(log).toEqual(['0:a', '100:b']);
    await clock.advance(1000);
    alive = [];
    queue.release();
    expect(log).toEqual(['0:a', '100:b', '1100:c', '1100:end']);
    queue.close();
    queue.write(Buffer.from('d'));
    expect(log.at(-1)).toBe('1100:close');
  });
});
