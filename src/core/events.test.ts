import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it, vi } from 'vitest';
import { Emitter, type ChannelMessage } from './events.ts';

describe('Emitter', () => {
  it('is inactive until someone listens and delivers to every listener', () => {
    const emitter = new Emitter<number>();
    expect(emitter.active).toBe(false);
    const seen: number[] = [];
    const a = emitter.event((n) => seen.push(n));
    const b = emitter.event((n) => seen.push(n * 10));
    expect(emitter.active).toBe(true);
    emitter.emit(1);
    a.dispose();
    a.dispose();
    emitter.emit(2);
    b[Symbol.dispose]();
    emitter.emit(3);
    expect(seen).toEqual([1, 10, 20]);
    expect(emitter.active).toBe(false);
  });

  it('publishes on its diagnostics channel with the source name', () => {
    const emitter = new Emitter<{ n: number }>('faultline:test:tick', 'ticker');
    expect(emitter.active).toBe(false);
    const messages: unknown[] = [];
    const onMessage = (message: unknown): void => {
      messages.push(message);
    };
    subscribe('faultline:test:tick', onMessage);
    try {
      expect(emitter.active).toBe(true);
      emitter.emit({ n: 1 });
    } finally {
      unsubscribe('faultline:test:tick', onMessage);
    }
    const expected: ChannelMessage<{ n: number }> = { source: 'ticker', event: { n: 1 } };
    expect(messages).toEqual([expected]);
  });

  it('keeps delivering when a listener throws and warns instead', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const emitter = new Emitter<number>();
      const seen: number[] = [];
      emitter.event(() => {
        throw new Error('listener broke');
      });
      emitter.event((n) => seen.push(n));
      emitter.emit(5);
      expect(seen).toEqual([5]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain('listener broke');
    } finally {
      warn.mockRestore();
    }
  });

  it('lets a listener unsubscribe during emit without skipping others', () => {
    const emitter = new Emitter<number>();
    const seen: string[] = [];
    const first = emitter.event(() => {
      seen.push('first');
      first.dispose();
    });
    emitter.event(() => seen.push('second'));
    emitter.emit(0);
    emitter.emit(0);
    expect(seen).toEqual(['first', 'second', 'second']);
  });
});
