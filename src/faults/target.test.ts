import { describe, expect, it } from 'vitest';
import { compileTarget, globToRegExp } from './target.ts';

const site = {
  operation: 'tool:search',
  tool: 'search',
  agent: 'product',
  url: 'https://api.example.com:8443/v1/items?q=1',
};

function matches(spec: unknown, s: Record<string, string> = site): boolean | undefined {
  return compileTarget(spec, 'test', 'target')?.(s as never);
}

describe('targets', () => {
  it('globs match the whole value; * crosses slashes and dots', () => {
    expect(globToRegExp('api.*').test('api.example.com')).toBe(true);
    expect(globToRegExp('api.*').test('xapi.example.com')).toBe(false);
    expect(globToRegExp('tool:?earch').test('tool:search')).toBe(true);
    expect(globToRegExp('a+b').test('a+b')).toBe(true);
    expect(matches({ url: 'https://api.example.com*/v1/*' })).toBe(true);
    expect(matches({ operation: 'tool:*' })).toBe(true);
    expect(matches({ operation: 'tool' })).toBe(false);
  });

  it('every field must match; an array matches any of its patterns', () => {
    expect(matches({ tool: ['lookup', 'search'], agent: 'product' })).toBe(true);
    expect(matches({ tool: ['lookup', 'search'], agent: 'marketing' })).toBe(false);
  });

  it('regex objects, RegExps and predicates', () => {
    expect(matches({ tool: { regex: '^SEA', flags: 'i' } })).toBe(true);
    const global = /search/g;
    expect(matches({ tool: global })).toBe(true);
    expect(matches({ tool: global })).toBe(true); // no lastIndex state leaks between calls
    expect(matches({ agent: (a: string) => a.startsWith('prod') })).toBe(true);
    expect(matches({ where: (s: { agent?: string }) => s.agent === 'nobody' })).toBe(false);
  });

  it('derives host from url; a site without the field does not match', () => {
    expect(matches({ host: 'api.example.com' })).toBe(true);
    expect(matches({ host: 'api.example.com' }, { operation: 'x' })).toBe(false);
    expect(matches({ path: '*' })).toBe(false);
  });

  it('an empty target matches everything (compiled away)', () => {
    expect(compileTarget(undefined, 't', 'target')).toBeUndefined();
    expect(compileTarget({}, 't', 'target')).toBeUndefined();
  });
});
