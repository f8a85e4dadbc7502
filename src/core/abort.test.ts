import { describe, expect, it } from 'vitest';
import { abortReason, isAbortError, linkedController, onAbort } from './abort.ts';

describe('abort helpers', () => {
  it('abortReason() wraps non-Error reasons in an AbortError', () => {
    const controller = new AbortController();
    controller.abort('user pressed stop');
    const reason = abortReason(controller.signal);
    expect(isAbortError(reason)).toBe(true);
    expect(reason.message).toBe('user pressed stop');
    const withError = new AbortController();
    const custom = new Error('custom');
    withError.abort(custom);
    expect(abortReason(withError.signal)).toBe(custom);
  });

  it('onAbort() fires once, at once when already aborted, and can be removed', () => {
    let calls = 0;
    const controller = new AbortController();
    const remove = onAbort(controller.signal, () => calls++);
    remove();
    controller.abort();
    expect(calls).toBe(0);
    onAbort(controller.signal, () => calls++);
    expect(calls).toBe(1);
    expect(onAbort(undefined, () => calls++)).toBeTypeOf('function');
    expect(calls).toBe(1);
  });

  it('linkedController() follows its parent until disposed', () => {
    const parent = new AbortController();
    const linked = linkedController(parent.signal);
    const reason = new Error('parent gone');
    parent.abort(reason);
    expect(linked.controller.signal.reason).toBe(reason);
    const parent2 = new AbortController();
    const detached = linkedController(parent2.signal);
    detached.dispose();
    parent2.abort();
    expect(detached.controller.signal.aborted).toBe(false);
  });
});
