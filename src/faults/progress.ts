import { AsyncLocalStorage } from 'node:async_hooks';

interface CrashFrame {
  readonly progress: number;
  readonly error: Error;
  readonly armed: () => boolean;
  crashed: boolean;
}

const storage = new AsyncLocalStorage<CrashFrame>();
let open = 0;

/**
 * Tells faultline how far the current operation has got (0..1). Outside a call with a
 * `crash` fault at N% progress it does nothing (and costs next to nothing); inside one, it
 * throws the fault's `AgentCrashError` once `fraction` reaches N%, so the rest of the work does
 * not run.
 *
 * @example
 * ```ts
 * const upload = withChaos(async (items: Item[]) => {
 *   for (const [i, item] of items.entries()) {
 *     await put(item);
 *     reportProgress((i + 1) / items.length);
 *   }
 * }, { operation: 'upload' });
 * ```
 */
export function reportProgress(fraction: number): void {
  if (open === 0) return;
  const frame = storage.getStore();
  if (frame === undefined || frame.crashed || fraction < frame.progress || !frame.armed()) return;
  frame.crashed = true;
  throw frame.error;
}

/**
 * Runs `run` so that its `reportProgress` calls crash it at `progress`. @internal
 */
export function runWithCrash<T>(
  progress: number,
  error: Error,
  armed: () => boolean,
  run: () => T | PromiseLike<T>,
): Promise<T> {
  const frame: CrashFrame = { progress, error, armed, crashed: false };
  open++;
  return storage
    .run(frame, async () => await run())
    .finally(() => {
      open--;
    });
}
