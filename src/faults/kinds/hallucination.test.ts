import { describe, expect, it } from 'vitest';
import { VirtualClock, createRandom } from '../../core/index.ts';
import { createFault } from '../registry.ts';
import { ChaosScope } from '../scope.ts';

function transformOf(spec: Record<string, unknown>, seed = 'h'): (value: unknown) => unknown {
  const effect = createFault({ kind: 'hallucination', ...spec }).effect({
    site: { operation: 'llm' },
    random: createRandom(seed),
    clock: new VirtualClock(),
    now: 0,
    seed,
    state: new Map(),
  });
  if (effect?.type !== 'transform') throw new Error('expected a transform');
  return effect.transform;
}

const product = {
  id: 'prod_81f2',
  name: 'Trail Shoe',
  price: 129.99,
  stock: 42,
  active: true,
  toolName: 'inventory.lookup',
  tags: ['outdoor', 'running'],
};

describe('hallucination fault', () => {
  it('wrong-number: one number changes, plausibly, keeping its precision', () => {
    const out = transformOf({ mode: 'wrong-number' })(product) as typeof product;
    const changed = (['price', 'stock'] as const).filter((k) => out[k] !== product[k]);
    expect(changed).toHaveLength(1);
    const key = changed[0] ?? 'price';
    const ratio = out[key] / product[key];
    expect(ratio > 1.1 || ratio < 0.9).toBe(true);
    expect(ratio).toBeGreaterThan(0.4);
    expect(ratio).toBeLessThan(1.7);
    if (key === 'stock') expect(Number.isInteger(out.stock)).toBe(true);
    expect(product.price).toBe(129.99); // the caller's object is untouched
  });

  it('wrong-number on named fields only', () => {
    const out = transformOf({ mode: 'wrong-number', fields: ['stock'] })(product) as typeof product;
    expect(out.price).toBe(129.99);
    expect(out.stock).not.toBe(42);
  });

  it('fabricate-field adds a confident-looking field that was not there', () => {
    const out = transformOf({ mode: 'fabricate-field' })(product) as Record<string, unknown>;
    const added = Object.keys(out).filter((k) => !(k in product));
    expect(added).toHaveLength(1);
  });

  it('nonexistent-reference rewrites an id or tool reference to something that does not exist', () => {
    const out = transformOf({ mode: 'nonexistent-reference' })(product) as typeof product;
    const changed = (['id', 'toolName'] as const).filter((k) => out[k] !== product[k]);
    expect(changed).toHaveLength(1);
    if (changed[0] === 'id') expect(out.id).toMatch(/^prod_[0-9a-f]{6}$/);
  });

  it('replace-value swaps one value for another of the same type', () => {
    const out = transformOf({ mode: 'replace-value', fields: ['name'] })(product) as typeof product;
    expect(typeof out.name).toBe('string');
    expect(out.name).not.toBe('Trail Shoe');
  });

  it('keeps a JSON string a JSON string', () => {
    const out = transformOf({ mode: 'wrong-number', fields: ['total'] })('{"total": 300}');
    expect(typeof out).toBe('string');
    expect((JSON.parse(out as string) as { total: number }).total).not.toBe(300);
  });

  it('falsifies a number in plain text, or adds a fabricated claim', () => {
    const out = transformOf({ mode: 'wrong-number' })('The order ships in 3 days.') as string;
    expect(out).toMatch(/^The order ships in \d+ days\.$/);
    expect(out).not.toBe('The order ships in 3 days.');
    expect(transformOf({ mode: 'replace-value' })('No numbers here.')).toMatch(/verified/);
  });

  it('runs a user mutator with its own random stream', async () => {
    const scope = new ChaosScope({
      enabled: true,
      seed: 9,
      killSwitch: false,
      faults: [
        {
          kind: 'hallucination',
          probability: 1,
          mutate: (value: unknown) => ({ ...(value as object), invented: true }),
        },
      ],
    });
    await expect(scope.execute({ operation: 'llm' }, () => ({ a: 1 }))).resolves.toEqual({
      a: 1,
      invented: true,
    });
    expect(scope.journal.injections[0]?.effect).toEqual({
      type: 'transform',
      description: 'hallucination: custom',
    });
  });

  it('is reproducible from the seed', () => {
    expect(transformOf({}, 'x')(product)).toEqual(transformOf({}, 'x')(product));
  });
});
