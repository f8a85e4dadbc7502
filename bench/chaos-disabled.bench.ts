/**
 * What fault injection costs when it is off: a function wrapped with `withChaos` called outside
 * any chaos scope, side by side with the bare function, interleaved in one process.
 * Target: at most +10 ns per call.
 *
 *   npm run bench -- chaos-disabled
 */
import { withChaos } from '../src/faults/index.ts';
import { compare } from './harness.ts';

const bare = (x: number): Promise<number> => Promise.resolve(x + 1);
const wrapped = withChaos(bare, { operation: 'bench' });

/** Measures the wrapper's cost and returns the added ns per call. */
export async function main(): Promise<{ addedNs: number }> {
  let i = 0;
  const results = await compare(
    [
      { name: 'bare await fn()', run: () => bare(i++) },
      { name: 'withChaos(fn), no scope', run: () => wrapped(i++) },
    ],
    { iterations: 1_000_000, rounds: 15 },
  );
  const base = results.get('bare await fn()')!;
  const ours = results.get('withChaos(fn), no scope')!;
  const addedNs = ours - base;
  console.log('\n## fault injection switched off');
  console.log(`bare await fn()              ${base.toFixed(1)} ns/call`);
  console.log(`withChaos(fn), no scope      ${ours.toFixed(1)} ns/call`);
  console.log(
    `added: ${addedNs.toFixed(1)} ns/call (target <= 10 ns)${addedNs <= 10 ? '  (target met)' : '  (TARGET MISSED)'}`,
  );
  return { addedNs };
}

if (import.meta.main) await main();
