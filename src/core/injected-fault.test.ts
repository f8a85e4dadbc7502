import { describe, expect, it } from 'vitest';
import { injectedFaultInfo, isInjectedFault, markInjected } from './injected-fault.ts';

describe('injected fault marker', () => {
  it('marks an error without changing its message, name or enumerable fields', () => {
    const error = markInjected(new Error('ECONNRESET'), {
      fault: 'reset',
      kind: 'network',
      seed: '42',
    });
    expect(isInjectedFault(error)).toBe(true);
    expect(injectedFaultInfo(error)).toEqual({ fault: 'reset', kind: 'network', seed: '42' });
    expect(Object.keys(error)).toEqual([]);
    expect(error.message).toBe('ECONNRESET');
  });

  it('tells real failures apart', () => {
    expect(isInjectedFault(new Error('real'))).toBe(false);
    expect(isInjectedFault(undefined)).toBe(false);
    expect(injectedFaultInfo('text')).toBeUndefined();
  });
});
