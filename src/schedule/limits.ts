import { assertNonNegativeNumber } from '../core/index.ts';

/**
 * A cap in milliseconds: a finite number >= 0, or `Infinity` for none.
 * @internal
 */
export function assertCap(owner: string, option: string, value: unknown): number {
  if (value === Infinity) return value;
  return assertNonNegativeNumber(owner, option, value);
}
