import type { VirtualClock } from '../../src/index.ts';
import type { CheckpointStore } from '../../src/agents/index.ts';
import type { ToolBackend } from './tools.ts';

const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Counts real I/O in flight (file writes and reads), so that virtual time can wait for it.
 * A `VirtualClock` jumps to the next timer as soon as the program is idle, and a program
 * waiting on a file write looks idle: without the gate, a pending timeout or deadline would
 * fire in the middle of the write. {@link driveVirtualTime} advances time only when the gate
 * is idle. Memory mode does no I/O, so there `clock.run(...)` is enough.
 */
export class IoGate {
  #pending = 0;
  #idle: (() => void)[] = [];

  /** Operations in flight. */
  get pending(): number {
    return this.#pending;
  }

  /** Runs `io`, counted as in flight until it settles. */
  track<T>(io: () => Promise<T>): Promise<T> {
    this.#pending++;
    let work: Promise<T>;
    try {
      work = io();
    } catch (error) {
      work = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return work.finally(() => {
      if (--this.#pending === 0) for (const wake of this.#idle.splice(0)) wake();
    });
  }

  /** Resolves once nothing is in flight. */
  whenIdle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** `backend` with every call tracked. */
  backend(backend: ToolBackend): ToolBackend {
    return {
      kind: backend.kind,
      write: (path, data) => this.track(() => backend.write(path, data)),
      read: (path) => this.track(() => backend.read(path)),
    };
  }

  /** `store` with every call tracked. */
  store(store: CheckpointStore): CheckpointStore {
    return {
      save: (input) => this.track(() => store.save(input)),
      load: (runId, key) => this.track(() => store.load(runId, key)),
      list: (runId, key) => this.track(() => store.list(runId, key)),
      delete: (runId, key) => this.track(() => store.delete(runId, key)),
    };
  }
}

/**
 * Like `clock.run(work)`, but never moves time while `gate` has real I/O in flight: after each
 * timer, it lets the program settle, waits for its I/O, and only then fires the next timer.
 *
 * @example
 * ```ts
 * const workflow = createEcommerceWorkflow({ runDir });
 * const result = await driveVirtualTime(clock, workflow.run(input, { clock, random }), workflow.io);
 * ```
 */
export async function driveVirtualTime<T>(
  clock: VirtualClock,
  work: Promise<T>,
  gate: IoGate,
): Promise<T> {
  const state = { settled: false };
  const mark = (): void => {
    state.settled = true;
  };
  work.then(mark, mark);
  for (;;) {
    await macrotask();
    if (state.settled) return work;
    if (gate.pending > 0) {
      await gate.whenIdle();
      continue;
    }
    if (clock.peek() === undefined) continue;
    await clock.next();
  }
}
