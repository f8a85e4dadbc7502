import { Worker } from 'node:worker_threads';
import type { FaultFactory, FaultSpec, HeldResource } from '../types.ts';

/** Spec of a `cpu` fault: real CPU saturation by busy worker threads. */
export interface CpuFaultSpec extends FaultSpec {
  readonly kind: 'cpu';
  /**
   * How many threads spin (one per core to saturate).
   * @default 1
   */
  readonly workers?: number;
  /**
   * How long they spin, on the scope's clock (released early when the scope stops).
   * @default 10000
   */
  readonly durationMs?: number;
}

/** CPU load started by {@link saturateCpu}. */
export interface CpuLoad extends HeldResource {
  /** The spinning threads (empty once released). */
  readonly workers: readonly Worker[];
  /** Resolves when every thread has stopped (after `release()`). */
  readonly stopped: Promise<void>;
}

// A fixed program, not user input: spin until terminated.
const spinSource = 'for (;;) {}';

/** Starts `workers` threads that spin until `release()` terminates them. */
export function saturateCpu(workers: number): CpuLoad {
  let threads: Worker[] = [];
  for (let i = 0; i < workers; i++) {
    const worker = new Worker(spinSource, { eval: true, name: 'faultline-cpu' });
    worker.unref();
    threads.push(worker);
  }
  const exits = threads.map(
    (w) =>
      new Promise<void>((resolve) => {
        w.once('exit', () => {
          resolve();
        });
      }),
  );
  const stopped = Promise.all(exits).then(() => undefined);
  return {
    get workers() {
      return threads;
    },
    stopped,
    release() {
      for (const w of threads) void w.terminate();
      threads = [];
    },
  };
}

/** Factory of the `cpu` kind. */
export const cpuFault: FaultFactory = (read) => {
  const workers = read.number('workers', { min: 1, max: 256, integer: true }) ?? 1;
  const durationMs = read.number('durationMs', { min: 0 }) ?? 10_000;
  return {
    effect: () => ({
      type: 'pressure',
      resource: 'cpu',
      amount: workers,
      durationMs,
      acquire: () => saturateCpu(workers),
    }),
  };
};
