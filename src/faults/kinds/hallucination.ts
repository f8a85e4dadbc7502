import type { Random } from '../../core/index.ts';
import type { FaultFactory, FaultSpec } from '../types.ts';
import {
  getAt,
  injectionRandom,
  leafPaths,
  allPaths,
  mutateJson,
  resolveFields,
  setAt,
  wrongNumber,
  type JsonPath,
} from './json-tools.ts';

/** The ways a `hallucination` fault makes an answer wrong while it still looks fine. */
export type HallucinationMode =
  'replace-value' | 'fabricate-field' | 'wrong-number' | 'nonexistent-reference';

const modes: readonly HallucinationMode[] = [
  'replace-value',
  'fabricate-field',
  'wrong-number',
  'nonexistent-reference',
];

/** A user-supplied hallucination: returns the wrong answer (must not mutate its input). */
export type HallucinationMutator = (value: unknown, random: Random) => unknown;

/** Spec of a `hallucination` fault: the call succeeds, but its output is wrong. */
export interface HallucinationFaultSpec extends FaultSpec {
  readonly kind: 'hallucination';
  /**
   * How the output goes wrong; with several, each injection picks one at random.
   * @default every mode (and `mutate` when given)
   */
  readonly mode?: HallucinationMode | readonly HallucinationMode[];
  /**
   * Which fields to falsify (`price`, `items.*.price`, `user.id`); any suitable field when absent.
   * @default undefined (any)
   */
  readonly fields?: readonly string[];
  /**
   * Code only: your own hallucination; used alone when `mode` is absent, else one of the modes.
   * @default undefined
   */
  readonly mutate?: HallucinationMutator;
}

const plausibleStrings = [
  'Acme Corporation',
  'approved',
  'Jordan Ellis',
  'in stock',
  '2019-03-14',
  'Berlin, Germany',
  'premium',
  'The request was completed successfully.',
];

const fabricatedFields: readonly [string, (random: Random) => unknown][] = [
  ['source', (r) => `https://docs.example.com/kb/${r.int(1000, 9999)}`],
  ['verified', () => true],
  ['confidence', (r) => Math.round(r.float(0.9, 0.99) * 100) / 100],
  ['internalReference', (r) => `INT-${r.int(10000, 99999)}`],
  ['lastAuditedBy', () => 'compliance-team'],
  ['certification', () => 'ISO 27001'],
];

const referenceKey = /(^id$|Id$|_id$|^ref|Ref$|reference|url|uri|link|tool|^sku$)/i;

function fabricateReference(current: string, random: Random): string {
  const token = random.int(0x100000, 0xffffff).toString(16);
  if (/^https?:\/\//.test(current)) {
    try {
      return `${new URL(current).origin}/resources/${token}`;
    } catch {
      return `https://example.com/resources/${token}`;
    }
  }
  const prefix = /^([A-Za-z]+)[_-]/.exec(current)?.[1];
  if (prefix !== undefined) return `${prefix}_${token}`;
  return `${current}_${token}`;
}

function pathKey(path: JsonPath): string | number | undefined {
  return path[path.length - 1];
}

function candidates(
  root: unknown,
  fields: readonly string[] | undefined,
  accept: (v: unknown, k: string | number | undefined) => boolean,
): JsonPath[] {
  if (fields !== undefined) {
    return resolveFields(root, fields).filter((p) => accept(getAt(root, p), pathKey(p)));
  }
  return leafPaths(root, accept);
}

function replaceText(text: string, random: Random): string {
  const numbers = [...text.matchAll(/\d+(?:\.\d+)?/g)];
  if (numbers.length > 0) {
    const match = random.pick(numbers);
    const wrong = String(wrongNumber(Number(match[0]), random));
    return text.slice(0, match.index) + wrong + text.slice(match.index + match[0].length);
  }
  return `${text} According to the 2021 internal audit, this was independently verified.`;
}

function hallucinate(
  mode: HallucinationMode,
  value: unknown,
  fields: readonly string[] | undefined,
  random: Random,
): unknown {
  return mutateJson(
    value,
    (root) => {
      switch (mode) {
        case 'wrong-number': {
          const paths = candidates(root, fields, (v) => typeof v === 'number');
          if (paths.length === 0) {
            return typeof root === 'number' ? wrongNumber(root, random) : root;
          }
          const path = random.pick(paths);
          return setAt(root, path, wrongNumber(getAt(root, path) as number, random));
        }
        case 'replace-value': {
          const paths = candidates(root, fields, (v) =>
            ['string', 'number', 'boolean'].includes(typeof v),
          );
          if (paths.length === 0) return root;
          const path = random.pick(paths);
          const current = getAt(root, path);
          let next: unknown;
          if (typeof current === 'number') next = wrongNumber(current, random);
          else if (typeof current === 'boolean') next = !current;
          else {
            const options = plausibleStrings.filter((s) => s !== current);
            next = random.pick(options);
          }
          return setAt(root, path, next);
        }
        case 'fabricate-field': {
          const objects = allPaths(
            root,
            (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
          );
          if (objects.length === 0) return root;
          const path = random.pick(objects);
          const target = getAt(root, path) as Record<string, unknown>;
          const fresh = fabricatedFields.filter(([k]) => !Object.hasOwn(target, k));
          if (fresh.length === 0) return root;
          const [key, make] = random.pick(fresh);
          target[key] = make(random);
          return root;
        }
        case 'nonexistent-reference': {
          const paths = candidates(
            root,
            fields,
            (v, k) =>
              typeof v === 'string' &&
              (fields !== undefined || (typeof k === 'string' && referenceKey.test(k))),
          );
          if (paths.length === 0) {
            if (typeof root === 'object' && root !== null && !Array.isArray(root)) {
              (root as Record<string, unknown>).relatedRecordId =
                `rec_${random.int(0x100000, 0xffffff).toString(16)}`;
            }
            return root;
          }
          const path = random.pick(paths);
          return setAt(root, path, fabricateReference(getAt(root, path) as string, random));
        }
      }
    },
    (text) => {
      if (mode === 'nonexistent-reference') {
        return `${text} (see record rec_${random.int(0x100000, 0xffffff).toString(16)})`;
      }
      return replaceText(text, random);
    },
  );
}

/** Factory of the `hallucination` kind. */
export const hallucinationFault: FaultFactory = (read) => {
  const chosen = read.oneOrMany('mode', modes);
  const fields = read.strings('fields');
  const mutate = read.func<HallucinationMutator>('mutate');
  const custom: readonly 'custom'[] = mutate === undefined ? [] : ['custom'];
  const pool: readonly (HallucinationMode | 'custom')[] =
    chosen === undefined ? (mutate === undefined ? modes : custom) : [...chosen, ...custom];
  return {
    effect(context) {
      const mode =
        pool.length === 1 ? (pool[0] as HallucinationMode | 'custom') : context.random.pick(pool);
      const random = injectionRandom(context);
      return {
        type: 'transform',
        description: `hallucination: ${mode}`,
        transform: (value) =>
          mode === 'custom' && mutate !== undefined
            ? mutate(value, random)
            : hallucinate(mode as HallucinationMode, value, fields, random),
      };
    },
  };
};
