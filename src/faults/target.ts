import { invalid, isRecord, joinPath } from './spec-reader.ts';
import type { InjectionSite, SiteField, TargetMatcher } from './types.ts';

const siteFields: readonly SiteField[] = [
  'operation',
  'tool',
  'agent',
  'url',
  'host',
  'path',
  'command',
];

type Test = (value: string) => boolean;

function escapeRegex(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compiles a glob: `*` matches any run of characters (slashes and dots included), `?` exactly one;
 * everything else is literal and the whole value must match.
 */
export function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escapeRegex(c)))
    .join('');
  return new RegExp(`^${source}$`, 's');
}

function compilePattern(owner: string, path: string, pattern: unknown): Test {
  if (typeof pattern === 'string') {
    if (!pattern.includes('*') && !pattern.includes('?')) return (value) => value === pattern;
    const re = globToRegExp(pattern);
    return (value) => re.test(value);
  }
  if (pattern instanceof RegExp) {
    // A global or sticky RegExp keeps state between test() calls; matching must not.
    const re = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
    return (value) => re.test(value);
  }
  if (typeof pattern === 'function') return pattern as Test;
  if (isRecord(pattern) && typeof pattern.regex === 'string') {
    const flags = pattern.flags ?? '';
    const extra = Object.keys(pattern).filter((k) => k !== 'regex' && k !== 'flags');
    if (typeof flags !== 'string' || extra.length > 0) {
      invalid(owner, path, pattern, '{ regex: string, flags?: string } and nothing else');
    }
    let re: RegExp;
    try {
      re = new RegExp(pattern.regex, flags.replace(/[gy]/g, ''));
    } catch (error) {
      invalid(
        owner,
        joinPath(path, 'regex'),
        pattern.regex,
        `a valid regular expression (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    return (value) => re.test(value);
  }
  return invalid(
    owner,
    path,
    pattern,
    'a glob string, { "regex": "..." }, a RegExp or a predicate function',
  );
}

function hostOf(site: InjectionSite): string | undefined {
  if (site.host !== undefined) return site.host;
  if (site.url === undefined) return undefined;
  try {
    return new URL(site.url).hostname;
  } catch {
    return undefined;
  }
}

/** The value of `field` in `site`; `host` is derived from `url` when the site has none. */
export function siteValue(site: InjectionSite, field: SiteField): string | undefined {
  return field === 'host' ? hostOf(site) : site[field];
}

/**
 * Compiles a {@link TargetSpec} into a matcher; `undefined` for a spec that matches everything.
 * Bad patterns throw an `InvalidOptionError` naming the field path.
 *
 * @example
 * ```ts
 * const matches = compileTarget({ url: 'https://api.example.com/*' }, 'createFault', 'target');
 * matches?.({ operation: 'fetch', url: 'https://api.example.com/v1' }); // true
 * ```
 */
export function compileTarget(
  spec: unknown,
  owner: string,
  path: string,
): TargetMatcher | undefined {
  if (spec === undefined) return undefined;
  if (!isRecord(spec)) {
    return invalid(owner, path, spec, `an object with any of ${siteFields.join(', ')}, where`);
  }
  const checks: { field: SiteField; tests: Test[] }[] = [];
  for (const key of Object.keys(spec)) {
    if (key === 'where') continue;
    if (!(siteFields as readonly string[]).includes(key)) {
      invalid(
        owner,
        joinPath(path, key),
        spec[key],
        `absent (known fields: ${siteFields.join(', ')}, where)`,
      );
    }
  }
  for (const field of siteFields) {
    const raw = spec[field];
    if (raw === undefined) continue;
    const list: unknown[] = Array.isArray(raw) ? raw : [raw];
    if (list.length === 0)
      invalid(owner, joinPath(path, field), raw, 'a pattern or a non-empty array of patterns');
    const tests = list.map((p, i) =>
      compilePattern(
        owner,
        Array.isArray(raw) ? `${joinPath(path, field)}[${i}]` : joinPath(path, field),
        p,
      ),
    );
    checks.push({ field, tests });
  }
  const where = spec.where;
  if (where !== undefined && typeof where !== 'function') {
    invalid(owner, joinPath(path, 'where'), where, 'a function of the site');
  }
  const predicate = where as ((site: InjectionSite) => boolean) | undefined;
  if (checks.length === 0 && predicate === undefined) return undefined;
  return (site) => {
    for (const { field, tests } of checks) {
      const value = siteValue(site, field);
      if (value === undefined) return false;
      if (!tests.some((test) => test(value))) return false;
    }
    return predicate === undefined || predicate(site);
  };
}
