import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { unwatchAbort, watchAbort, type AbortWatch, type AbortWatcher } from './abort-watch.ts';

class Node implements AbortWatcher {
  watch: AbortWatch | undefined;
  abortPrev: AbortWatcher | undefined;
  abortNext: AbortWatcher | undefined;
  readonly name: string;
  readonly log: string[];

  constructor(name: string, log: string[]) {
    this.name = name;
    this.log = log;
  }

  signalAborted(): void {
    this.log.push(this.name);
  }
}

describe('abort watch', () => {
  it('shares one listener per signal and notifies linked calls in join order', () => {
    const log: string[] = [];
    const controller = new AbortController();
    const nodes = ['a', 'b', 'c', 'd'].map((name) => new Node(name, log));
    for (const node of nodes) watchAbort(controller.signal, node);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    unwatchAbort(nodes[0] as Node); // head
    unwatchAbort(nodes[2] as Node); // middle
    unwatchAbort(nodes[2] as Node); // twice: no effect
    controller.abort();
    expect(log).toEqual(['b', 'd']);
    expect(nodes.every((n) => n.watch === undefined)).toBe(true);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('keeps signals apart and leaves nothing linked once all calls leave', () => {
    const log: string[] = [];
    const one = new AbortController();
    const two = new AbortController();
    const x = new Node('x', log);
    const y = new Node('y', log);
    watchAbort(one.signal, x);
    watchAbort(two.signal, y);
    unwatchAbort(x);
    watchAbort(one.signal, x); // the same listener is reused
    expect(getEventListeners(one.signal, 'abort')).toHaveLength(1);
    two.abort();
    expect(log).toEqual(['y']);
    unwatchAbort(x);
    one.abort();
    expect(log).toEqual(['y']);
  });
});
