function sameLeaf(expected: unknown, actual: unknown): boolean {
  if (expected === actual) return true;
  return (
    typeof expected === 'number' &&
    typeof actual === 'number' &&
    Number.isNaN(expected) &&
    Number.isNaN(actual)
  );
}

function container(value: unknown): 'array' | 'object' | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return Array.isArray(value) ? 'array' : 'object';
}

/**
 * How much of an agent's state a resume reconstructed correctly: the share of the leaves of
 * `truth` (the checkpointed state) found at the same path in `restored` with the same value.
 * Leaves are primitive values and empty arrays or objects, reached through object keys and
 * array indexes; values compare with `===` (NaN equals NaN). Extra data in `restored` does not
 * count against it. 1 when `truth` has no leaves.
 *
 * @example
 * ```ts
 * reconstructionAccuracy(
 *   { step: 3, images: ['a.png', 'b.png'], draft: { title: 'Mug' } },
 *   { step: 3, images: ['a.png'], draft: { title: 'Mug' } },
 * ); // 0.75: 3 of 4 leaves recovered
 * ```
 */
export function reconstructionAccuracy(truth: unknown, restored: unknown): number {
  let total = 0;
  let matched = 0;
  const walk = (expected: unknown, actual: unknown): void => {
    const kind = container(expected);
    if (kind !== undefined) {
      const entries = Object.entries(expected as object);
      const same = container(actual) === kind;
      if (entries.length === 0) {
        total++;
        if (same) matched++;
        return;
      }
      const actualObject = same ? (actual as Record<string, unknown>) : undefined;
      for (const [key, value] of entries) walk(value, actualObject?.[key]);
      return;
    }
    total++;
    if (sameLeaf(expected, actual)) matched++;
  };
  walk(truth, restored);
  return total === 0 ? 1 : matched / total;
}
