import { describe, expect, it } from 'vitest';
import { reconstructionAccuracy } from './reconstruction-accuracy.ts';

describe('reconstructionAccuracy', () => {
  const truth = { step: 3, images: ['a.png', 'b.png'], draft: { title: 'Mug', price: 12 } };

  it('is 1 for an exact copy and for a superset', () => {
    expect(reconstructionAccuracy(truth, structuredClone(truth))).toBe(1);
    expect(reconstructionAccuracy(truth, { ...structuredClone(truth), extra: true })).toBe(1);
  });

  it('counts matching leaves: 5 leaves, 3 recovered = 0.6', () => {
    const restored = { step: 3, images: ['a.png'], draft: { title: 'Mug', price: 13 } };
    expect(reconstructionAccuracy(truth, restored)).toBe(0.6);
  });

  it('is 0 when nothing was restored, and 1 when there was nothing to restore', () => {
    expect(reconstructionAccuracy(truth, undefined)).toBe(0);
    expect(reconstructionAccuracy(truth, {})).toBe(0);
    expect(reconstructionAccuracy({}, undefined)).toBe(0); // an empty object is a leaf
    expect(reconstructionAccuracy(7, 7)).toBe(1);
  });

  it('does not take an array for an object, and compares NaN as equal', () => {
    expect(reconstructionAccuracy({ list: ['x'] }, { list: { 0: 'x' } })).toBe(0);
    expect(reconstructionAccuracy({ list: [] }, { list: [] })).toBe(1);
    expect(reconstructionAccuracy({ v: Number.NaN }, { v: Number.NaN })).toBe(1);
    expect(reconstructionAccuracy({ v: 1 }, { v: '1' })).toBe(0);
  });
});
