import { AsyncLocalStorage } from 'node:async_hooks';
import { chaos, type ChaosScope } from '../faults/index.ts';

/**
 * Marks the async context of an original call made on behalf of an intercepted one, so that the
 * calls Node makes internally (`fs.writeFile` opens through the exported `fs.open`) are not
 * intercepted a second time.
 */
const passthrough = new AsyncLocalStorage<true>();

/** The chaos scope in effect here, when it injects and this is not an internal call. @internal */
export function activeScope(): ChaosScope | undefined {
  const scope = chaos.current();
  if (scope === undefined || !scope.active || passthrough.getStore() === true) return undefined;
  return scope;
}

/** Runs an original call so that nothing it does internally is intercepted. @internal */
export function runOriginal<T>(call: () => T): T {
  return passthrough.run(true, call);
}

/**
 * Reports a call's outcome to the scope's kill switch (when it watches calls): started now,
 * ended when `work` settles. @internal
 */
export function tracked<T>(scope: ChaosScope, work: () => Promise<T>): Promise<T> {
  const killSwitch = scope.killSwitch;
  if (!killSwitch.watching) return work();
  killSwitch.callStarted();
  let promise: Promise<T>;
  try {
    promise = work();
  } catch (error) {
    killSwitch.callEnded(false);
    throw error;
  }
  return promise.then(
    (value) => {
      killSwitch.callEnded(true);
      return value;
    },
    (error: unknown) => {
      killSwitch.callEnded(false);
      throw error;
    },
  );
}

/**
 * Kill-switch bookkeeping for a call whose end is signalled by a callback or event rather than a
 * promise: returns the function to call once with the outcome (later calls do nothing).
 * @internal
 */
export function trackCall(scope: ChaosScope): (ok: boolean) => void {
  const killSwitch = scope.killSwitch;
  if (!killSwitch.watching) return () => undefined;
  killSwitch.callStarted();
  let done = false;
  return (ok) => {
    if (done) return;
    done = true;
    killSwitch.callEnded(ok);
  };
}
