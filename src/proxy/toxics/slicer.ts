import { QueueStage, type QueueItem, type StageAttributes } from './stage.ts';
import type { Random } from '../../core/index.ts';

/**
 * Split points of `length` bytes into slices of about `average` ± `variation` bytes, by
 * recursive halving with a random offset (the same algorithm Toxiproxy's slicer uses).
 */
export function sliceBoundaries(
  length: number,
  average: number,
  variation: number,
  random: () => Random,
): number[] {
  const cuts: number[] = [];
  const split = (start: number, end: number): void => {
    if (end - start - average <= variation || average <= 0) {
      cuts.push(end);
      return;
    }
    let mid = start + Math.floor((end - start) / 2);
    if (variation > 0) mid += random().int(-variation, variation - 1);
    mid = Math.min(end - 1, Math.max(start + 1, mid));
    split(start, mid);
    split(mid, end);
  };
  split(0, length);
  return cuts;
}

/**
 * `slicer`: cuts every chunk into slices of `average_size` ± `size_variation` bytes and sends
 * them `delay` µs apart.
 */
export class SlicerStage extends QueueStage {
  #average = 0;
  #variation = 0;
  #delayMs = 0;
  #nextAt = 0;

  init(attributes: StageAttributes): this {
    this.update(attributes);
    return this;
  }

  update(attributes: StageAttributes): void {
    this.#average = attributes['average_size'] as number;
    this.#variation = attributes['size_variation'] as number;
    this.#delayMs = (attributes['delay'] as number) / 1000;
  }

  protected due(item: QueueItem, now: number): number {
    if (item.chunk === undefined || this.#delayMs === 0) return now;
    return Math.max(this.#nextAt, item.arrival);
  }

  protected override take(item: QueueItem): boolean {
    const chunk = item.chunk;
    if (chunk === undefined) return super.take(item);
    if (this.#delayMs === 0) {
      let start = 0;
      for (const cut of sliceBoundaries(
        chunk.length,
        this.#average,
        this.#variation,
        this.#random,
      )) {
        this.next.write(chunk.subarray(start, cut));
        start = cut;
      }
      return true;
    }
    // Cut positions are computed once per chunk; `item.chunk` shrinks to what is left.
    let cuts = this.#cuts;
    if (cuts === undefined) {
      cuts = sliceBoundaries(chunk.length, this.#average, this.#variation, this.#random);
      this.#cuts = cuts;
      this.#cutIndex = 0;
      this.#consumed = 0;
    }
    const cut = cuts[this.#cutIndex++] ?? this.#consumed + chunk.length;
    const size = cut - this.#consumed;
    this.#consumed = cut;
    this.#nextAt = this.ctx.clock.now() + this.#delayMs;
    if (size >= chunk.length) {
      this.#cuts = undefined;
      this.next.write(chunk);
      return true;
    }
    this.next.write(chunk.subarray(0, size));
    item.chunk = chunk.subarray(size);
    return false;
  }

  #cuts: number[] | undefined;
  #cutIndex = 0;
  #consumed = 0;
  readonly #random = (): Random => this.ctx.random();
}
