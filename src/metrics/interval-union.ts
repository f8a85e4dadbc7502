/**
 * The union of time intervals `[start, end)`, kept as sorted disjoint intervals. Beyond
 * `maxIntervals` the earliest ones are folded into a settled total (their length is kept, their
 * bounds forgotten), and a later interval starting before the folded ones' end is clipped: memory
 * stays bounded and the measure stays exact as long as intervals arrive roughly in time order.
 * @internal
 */
export class IntervalUnion {
  readonly #maxIntervals: number;
  /** Flat pairs: start0, end0, start1, end1, ... sorted and disjoint. */
  #bounds: number[] = [];
  #settled = 0;
  #settledUntil = -Infinity;

  constructor(maxIntervals = 1024) {
    this.#maxIntervals = maxIntervals;
  }

  /** Adds `[start, end)`; empty intervals are ignored. */
  add(start: number, end: number): void {
    const from = Math.max(start, this.#settledUntil);
    if (!(end > from)) return;
    const b = this.#bounds;
    // First interval whose end reaches `from`, then every interval overlapping [from, end].
    let lo = 0;
    let hi = b.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((b[mid * 2 + 1] as number) < from) lo = mid + 1;
      else hi = mid;
    }
    const i = lo * 2;
    let j = i;
    let first = from;
    let last = end;
    while (j < b.length && (b[j] as number) <= end) {
      first = Math.min(first, b[j] as number);
      last = Math.max(last, b[j + 1] as number);
      j += 2;
    }
    b.splice(i, j - i, first, last);
    while (b.length > this.#maxIntervals * 2) {
      const s = b.shift() as number;
      const e = b.shift() as number;
      this.#settled += e - s;
      this.#settledUntil = e;
    }
  }

  /**
   * Length of the union within `[from, to)`; `extra` intervals (say, failures still open) are
   * included without being stored. Folded intervals count in full.
   */
  measure(from: number, to: number, extra?: readonly (readonly [number, number])[]): number {
    let b = this.#bounds;
    if (extra !== undefined && extra.length > 0) {
      const copy = new IntervalUnion(Infinity);
      copy.#bounds = [...b];
      copy.#settledUntil = this.#settledUntil;
      for (const [s, e] of extra) copy.add(s, e);
      b = copy.#bounds;
    }
    let total = this.#settled;
    for (let i = 0; i < b.length; i += 2) {
      const s = Math.max(from, b[i] as number);
      const e = Math.min(to, b[i + 1] as number);
      if (e > s) total += e - s;
    }
    return total;
  }
}
