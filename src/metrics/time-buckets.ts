import type { TimelineBucket } from './types.ts';

type Counts = [
  runs: number,
  succeeded: number,
  failures: number,
  recoveries: number,
  injections: number,
  healing: number,
];

/** What a timeline bucket counts. @internal */
export const timelineField = {
  runs: 0,
  succeeded: 1,
  failures: 2,
  recoveries: 3,
  injections: 4,
  healing: 5,
} as const;

/** A timeline field's index. @internal */
export type TimelineField = (typeof timelineField)[keyof typeof timelineField];

/**
 * Counts over time in at most `maxBuckets` equal buckets from `start`; when an event falls past
 * the last bucket, neighbours are merged pairwise and the width doubles, so memory is constant
 * whatever the campaign's length.
 * @internal
 */
export class TimeBuckets {
  readonly #start: number;
  readonly #maxBuckets: number;
  #width: number;
  #buckets: Counts[] = [];

  constructor(start: number, initialWidthMs: number, maxBuckets: number) {
    this.#start = start;
    this.#width = initialWidthMs;
    this.#maxBuckets = maxBuckets;
  }

  add(at: number, field: TimelineField, n = 1): void {
    let index = Math.max(0, Math.floor((at - this.#start) / this.#width));
    while (index >= this.#maxBuckets) {
      this.#halve();
      index = Math.max(0, Math.floor((at - this.#start) / this.#width));
    }
    while (this.#buckets.length <= index) this.#buckets.push([0, 0, 0, 0, 0, 0]);
    (this.#buckets[index] as Counts)[field] += n;
  }

  get widthMs(): number {
    return this.#width;
  }

  buckets(): TimelineBucket[] {
    return this.#buckets.map((c, i) => ({
      start: this.#start + i * this.#width,
      end: this.#start + (i + 1) * this.#width,
      runs: c[0],
      succeeded: c[1],
      successRate: c[0] === 0 ? null : c[1] / c[0],
      failures: c[2],
      recoveries: c[3],
      injections: c[4],
      healingEvents: c[5],
    }));
  }

  #halve(): void {
    const merged: Counts[] = [];
    for (let i = 0; i < this.#buckets.length; i += 2) {
      const a = this.#buckets[i] as Counts;
      const b = this.#buckets[i + 1];
      merged.push(b === undefined ? a : (a.map((v, k) => v + (b[k] as number)) as Counts));
    }
    this.#buckets = merged;
    this.#width *= 2;
  }
}
