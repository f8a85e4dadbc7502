import { InvalidOptionError } from './errors/invalid-option-error.ts';

/** A seed: any integer or string. Strings are hashed, so `'campaign-7'` is a fine seed. */
export type Seed = number | string;

/**
 * A seeded source of randomness. Every policy, fault and runner draws from its own `Random`,
 * usually a {@link Random.fork | fork} of the run's, so a run replays from its seed alone.
 */
export interface Random {
  /** The seed this stream was created from (forks report their derived seed). */
  readonly seed: string;
  /** A float in [0, 1). */
  next(): number;
  /** A float in [min, max). */
  float(min: number, max: number): number;
  /** An integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** True with probability `p` (0..1). Draws nothing when `p` is 0 or 1. */
  chance(p: number): boolean;
  /** A uniformly chosen element; throws on an empty array. */
  pick<T>(items: readonly T[]): T;
  /**
   * An independent stream identified by `label`. A fork depends only on this stream's seed and
   * the label, never on how many numbers were drawn before, so adding a component does not shift
   * the draws of any other.
   */
  fork(label: string): Random;
}

/** FNV-1a over the string, then murmur3's finalizer: a well-spread 32-bit hash. */
function hash32(text: string, salt: number): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), 128-bit state. */
class Sfc32Random implements Random {
  readonly seed: string;
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: string) {
    this.seed = seed;
    this.#a = hash32(seed, 0x9e3779b9);
    this.#b = hash32(seed, 0x243f6a88);
    this.#c = hash32(seed, 0xb7e15162);
    this.#d = 1;
    for (let i = 0; i < 12; i++) this.#u32();
  }

  #u32(): number {
    const a = this.#a;
    const b = this.#b;
    const c = this.#c;
    const d = this.#d;
    const t = (((a + b) | 0) + d) | 0;
    this.#d = (d + 1) | 0;
    this.#a = b ^ (b >>> 9);
    this.#b = (c + (c << 3)) | 0;
    this.#c = ((c << 21) | (c >>> 11)) + t;
    this.#c |= 0;
    return t >>> 0;
  }

  next(): number {
    return this.#u32() / 4294967296;
  }

  float(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  int(min: number, max: number): number {
    const lo = Math.ceil(min);
    const hi = Math.floor(max);
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Random.pick: cannot pick from an empty array');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  fork(label: string): Random {
    return new Sfc32Random(`${this.seed}/${label}`);
  }
}

/**
 * Creates a seeded {@link Random}. The same seed always yields the same sequence, on every
 * platform.
 *
 * @example
 * ```ts
 * const random = createRandom(42);
 * const faults = random.fork('faults'); // unaffected by draws made on `random`
 * ```
 */
export function createRandom(seed: Seed): Random {
  if (typeof seed === 'number' ? !Number.isFinite(seed) : typeof seed !== 'string') {
    throw new InvalidOptionError(
      `createRandom: option 'seed' must be a finite number or a string, got ${String(seed)}`,
      {
        owner: 'createRandom',
        option: 'seed',
        value: seed,
        expected: 'a finite number or a string',
      },
    );
  }
  return new Sfc32Random(String(seed));
}

/**
 * A {@link Random} with a fresh seed from the operating system's entropy; its `seed` is exposed
 * so that a surprising run can still be replayed.
 */
export function randomSeeded(): Random {
  return new Sfc32Random(String(crypto.getRandomValues(new Uint32Array(1))[0]));
}
