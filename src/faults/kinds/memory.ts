import type { FaultFactory, FaultSpec, HeldResource } from '../types.ts';

/** Spec of a `memory` fault. */
export interface MemoryFaultSpec extends FaultSpec {
  readonly kind: 'memory';
  /**
   * `'alloc-fail'`: the call fails as an allocation does when memory runs out
   * (`RangeError: Array buffer allocation failed`). `'pressure'`: a real ballast of `mib` MiB is
   * allocated and touched, held for `durationMs` (or until the chaos scope stops), then
   * released; the call itself runs normally.
   * @default 'alloc-fail'
   */
  readonly mode?: 'alloc-fail' | 'pressure';
  /**
   * `'pressure'`: ballast size in MiB.
   * @default 64
   */
  readonly mib?: number;
  /**
   * `'pressure'`: how long the ballast is held, on the scope's clock.
   * @default 10000
   */
  readonly durationMs?: number;
}

/** Memory held by {@link allocateBallast}. */
export interface Ballast extends HeldResource {
  /** Bytes held now (0 once released). */
  readonly bytes: number;
}

const chunkSize = 1024 * 1024;

/**
 * Allocates `mib` MiB outside the JS heap, in 1 MiB chunks written to (so the pages are really
 * committed), and holds it until `release()`.
 */
export function allocateBallast(mib: number): Ballast {
  let chunks: Buffer[] = [];
  const total = Math.round(mib * chunkSize);
  for (let left = total; left > 0; left -= chunkSize) {
    chunks.push(Buffer.allocUnsafeSlow(Math.min(chunkSize, left)).fill(0xa5));
  }
  return {
    get bytes() {
      return chunks.reduce((sum, c) => sum + c.length, 0);
    },
    release() {
      chunks = [];
    },
  };
}

/** The error V8 throws when an allocation cannot be satisfied. */
export function allocationFailure(): RangeError {
  return new RangeError('Array buffer allocation failed');
}

/** Factory of the `memory` kind. */
export const memoryFault: FaultFactory = (read) => {
  const mode = read.oneOf('mode', ['alloc-fail', 'pressure']) ?? 'alloc-fail';
  const mib = read.number('mib', { min: 0, exclusiveMin: true }) ?? 64;
  const durationMs = read.number('durationMs', { min: 0 }) ?? 10_000;
  if (mode === 'alloc-fail') {
    for (const key of ['mib', 'durationMs']) {
      if (read.raw(key) !== undefined)
        read.fail(key, read.raw(key), "absent unless mode is 'pressure'");
    }
  }
  return {
    effect() {
      if (mode === 'alloc-fail') return { type: 'fail', error: allocationFailure() };
      return {
        type: 'pressure',
        resource: 'memory',
        amount: mib,
        durationMs,
        acquire: () => allocateBallast(mib),
      };
    },
  };
};
