/** Never aborts; used where a signal is required but the caller gave none. */
export const neverAbortedSignal: AbortSignal = new AbortController().signal;

/** The reason a signal aborted, as an Error (wrapping non-Error reasons). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new DOMException(
    typeof reason === 'string' ? reason : 'This operation was aborted',
    'AbortError',
  );
}

/** True when `error` is the result of an abort (`AbortError`, or a signal's reason). */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/**
 * Calls `onAbort` once when `signal` aborts (at once if it already has) and returns a function
 * that removes the listener.
 */
export function onAbort(signal: AbortSignal | undefined, listener: () => void): () => void {
  if (signal === undefined) return noop;
  if (signal.aborted) {
    listener();
    return noop;
  }
  signal.addEventListener('abort', listener, { once: true });
  return () => {
    signal.removeEventListener('abort', listener);
  };
}

/**
 * A controller whose signal also aborts when `parent` does. `dispose()` detaches it from the
 * parent, so long-lived parents do not collect listeners.
 */
export function linkedController(parent: AbortSignal | undefined): {
  controller: AbortController;
  dispose: () => void;
} {
  const controller = new AbortController();
  const dispose = onAbort(parent, () => {
    controller.abort(parent?.reason);
  });
  return { controller, dispose };
}

function noop(): void {}
