import { describe, expect, it } from 'vitest';
import { VirtualClock, isInvalidOptionError, type InvalidOptionError } from '../core/index.ts';
import { createFault, faultKinds, registerFaultKind, resolveFaultKind } from './registry.ts';
import { ChaosScope } from './scope.ts';

function errorOf(fn: () => unknown): InvalidOptionError {
  try {
    fn();
  } catch (error) {
    if (isInvalidOptionError(error)) return error;
    throw error;
  }
  throw new Error('expected an InvalidOptionError');
}

describe('fault registry', () => {
  it('has every built-in kind and resolves aliases and spellings', () => {
    expect(faultKinds()).toEqual(
      expect.arrayContaining([
        'crash',
        'latency',
        'hang',
        'error',
        'hallucination',
        'corruption',
        'network',
        'disk',
        'memory',
        'process',
        'cpu',
      ]),
    );
    expect(resolveFaultKind('DISK_IO')).toBe('disk');
    expect(resolveFaultKind('NETWORK')).toBe('network');
    expect(resolveFaultKind('delay')).toBe('latency');
    expect(resolveFaultKind('timeout')).toBe('hang');
    expect(resolveFaultKind('message_corruption')).toBe('corruption');
    expect(resolveFaultKind('gremlin')).toBeUndefined();
  });

  it('creates faults with common fields', () => {
    const fault = createFault({
      kind: 'NETWORK',
      name: 'api-down',
      toxicity: 0.3,
      target: { host: 'api.*' },
    });
    expect(fault).toMatchObject({ kind: 'network', name: 'api-down', probability: 0.3 });
    expect(fault.target?.({ operation: 'fetch', url: 'https://api.example.com/' })).toBe(true);
    expect(fault.target?.({ operation: 'fetch', url: 'https://cdn.example.com/' })).toBe(false);
    expect(createFault({ kind: 'crash' })).toMatchObject({
      name: 'crash',
      probability: undefined,
      target: undefined,
    });
  });

  it('names field, value and what is expected in errors', () => {
    const unknownKind = errorOf(() => createFault({ kind: 'gremlin' }, 'faults[3]'));
    expect(unknownKind.option).toBe('faults[3].kind');
    expect(unknownKind.value).toBe('gremlin');
    expect(unknownKind.expected).toMatch(/^one of 'crash', 'latency'/);

    const badP = errorOf(() => createFault({ kind: 'crash', probability: 1.5 }));
    expect(badP.message).toBe(
      "createFault: option 'probability' must be a finite number >= 0 <= 1, got 1.5",
    );

    const typo = errorOf(() => createFault({ kind: 'latency', msec: 100 }));
    expect(typo.option).toBe('msec');
    expect(typo.expected).toMatch(/unknown field; known fields: .*'ms'/);

    expect(createFault({ kind: 'crash', maxInjections: 2 }).maxInjections).toBe(2);
    expect(createFault({ kind: 'crash' }).maxInjections).toBeUndefined();
    for (const bad of [0, 1.5, -1, '1']) {
      const max = errorOf(() => createFault({ kind: 'crash', maxInjections: bad }));
      expect(max.option).toBe('maxInjections');
      expect(max.expected).toBe('an integer >= 1');
    }

    const both = errorOf(() => createFault({ kind: 'crash', probability: 0.1, toxicity: 0.1 }));
    expect(both.option).toBe('toxicity');

    expect(errorOf(() => createFault(null)).option).toBe('spec');
    expect(errorOf(() => createFault({ kind: 'crash', target: { url: 5 } })).option).toBe(
      'target.url',
    );
    expect(
      errorOf(() => createFault({ kind: 'crash', target: { tool: { regex: '(' } } })).option,
    ).toBe('target.tool.regex');
    expect(errorOf(() => createFault({ kind: 'crash', target: { host: [] } })).option).toBe(
      'target.host',
    );
    expect(errorOf(() => createFault({ kind: 'crash', target: { service: 'x' } })).option).toBe(
      'target.service',
    );
  });

  it('registers a custom kind, usable by name from a config', async () => {
    registerFaultKind('teapot', (read) => {
      const message = read.string('message') ?? 'I am a teapot';
      return { effect: () => ({ type: 'fail', error: new Error(message) }) };
    });
    expect(() => {
      registerFaultKind('teapot', () => ({ effect: () => undefined }));
    }).toThrow(/not registered yet/);
    expect(() => {
      registerFaultKind('Bad Kind', () => ({ effect: () => undefined }));
    }).toThrow(/lower-case/);
    const scope = new ChaosScope({
      enabled: true,
      seed: 1,
      clock: new VirtualClock(),
      faults: [{ kind: 'teapot', message: 'short and stout', probability: 1 }],
    });
    await expect(scope.execute({ operation: 'brew' }, () => 'tea')).rejects.toThrow(
      'short and stout',
    );
    expect(() => createFault({ kind: 'teapot', spout: true })).toThrow(
      /option 'spout' must be absent/,
    );
  });
});
