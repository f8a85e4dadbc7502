/**
 * Internal: one `abort` listener per caller signal, shared by every pending call made with it.
 *
 * Linking a call to its caller's signal with `addEventListener`/`removeEventListener` is the
 * most expensive part of abort handling in Node.js. An agent run usually passes one signal to
 * thousands of calls; here that signal gets a single listener, and each pending call joins or
 * leaves an intrusive list in O(1) without allocating.
 * @internal
 */

/** A pending call that wants to know when its caller's signal aborts. */
export interface AbortWatcher {
  /** The watch the call is linked into, or `undefined`. Managed by this module. */
  watch: AbortWatch | undefined;
  abortPrev: AbortWatcher | undefined;
  abortNext: AbortWatcher | undefined;
  /** Called once, in join order, when the signal aborts while the call is linked. */
  signalAborted(): void;
}

const watches = new WeakMap<AbortSignal, AbortWatch>();

/** The shared listener of one signal. */
export class AbortWatch {
  readonly signal: AbortSignal;
  head: AbortWatcher | undefined;
  tail: AbortWatcher | undefined;

  constructor(signal: AbortSignal) {
    this.signal = signal;
  }

  handleEvent(): void {
    watches.delete(this.signal);
    let node = this.head;
    this.head = undefined;
    this.tail = undefined;
    while (node !== undefined) {
      const next = node.abortNext;
      node.watch = undefined;
      node.abortPrev = undefined;
      node.abortNext = undefined;
      node.signalAborted();
      node = next;
    }
  }
}

/** Links `node` to `signal` (which must not be aborted yet). */
export function watchAbort(signal: AbortSignal, node: AbortWatcher): void {
  let watch = watches.get(signal);
  if (watch === undefined) {
    watch = new AbortWatch(signal);
    watches.set(signal, watch);
    signal.addEventListener('abort', watch, { once: true });
  }
  node.watch = watch;
  node.abortPrev = watch.tail;
  node.abortNext = undefined;
  if (watch.tail === undefined) watch.head = node;
  else watch.tail.abortNext = node;
  watch.tail = node;
}

/** Unlinks `node` from its signal; does nothing when it is not linked. */
export function unwatchAbort(node: AbortWatcher): void {
  const watch = node.watch;
  if (watch === undefined) return;
  node.watch = undefined;
  const { abortPrev, abortNext } = node;
  if (abortPrev === undefined) watch.head = abortNext;
  else abortPrev.abortNext = abortNext;
  if (abortNext === undefined) watch.tail = abortPrev;
  else abortNext.abortPrev = abortPrev;
  node.abortPrev = undefined;
  node.abortNext = undefined;
}
