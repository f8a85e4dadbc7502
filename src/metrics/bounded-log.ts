/**
 * The most recent `limit` items of an unbounded stream, oldest first, and how many were dropped.
 * @internal
 */
export class BoundedLog<T> {
  readonly limit: number;
  #items: T[] = [];
  #head = 0;
  #dropped = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Items dropped to stay within the limit. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Items kept. */
  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    if (this.limit === 0) {
      this.#dropped++;
      return;
    }
    if (this.#items.length < this.limit) {
      this.#items.push(item);
      return;
    }
    this.#items[this.#head] = item;
    this.#head = (this.#head + 1) % this.limit;
    this.#dropped++;
  }

  /** Kept items, oldest first. */
  toArray(): T[] {
    if (this.#head === 0) return [...this.#items];
    return [...this.#items.slice(this.#head), ...this.#items.slice(0, this.#head)];
  }

  /** The last `n` items, oldest first. */
  last(n: number): T[] {
    const all = this.toArray();
    return all.slice(Math.max(0, all.length - n));
  }
}
