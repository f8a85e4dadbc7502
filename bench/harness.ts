/**
 * Side-by-side micro-benchmarks: every candidate of a comparison runs in the same process,
 * interleaved round by round (the order rotates each round), so CPU frequency changes and GC
 * pressure hit all of them alike. The figure kept is each candidate's median over the rounds.
 */

/** One contender: an async operation measured per call. */
export interface Candidate {
  name: string;
  run: () => Promise<unknown>;
}

/** How long to measure. */
export interface CompareOptions {
  /** Calls per round per candidate. */
  iterations?: number;
  /** Measured rounds (after `warmupRounds`). */
  rounds?: number;
  warmupRounds?: number;
}

/** Median ns per call of each candidate. */
export type Results = Map<string, number>;

async function measure(candidate: Candidate, iterations: number): Promise<number> {
  const run = candidate.run;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await run();
  return Number(process.hrtime.bigint() - start) / iterations;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Measures every candidate, interleaved, and returns each one's median ns/call. */
export async function compare(
  candidates: Candidate[],
  options: CompareOptions = {},
): Promise<Results> {
  const iterations = options.iterations ?? 100_000;
  const rounds = options.rounds ?? 15;
  const warmup = options.warmupRounds ?? 3;
  const samples = new Map<string, number[]>(candidates.map((c) => [c.name, []]));
  for (let round = 0; round < warmup + rounds; round++) {
    for (let k = 0; k < candidates.length; k++) {
      const candidate = candidates[(round + k) % candidates.length]!;
      const ns = await measure(candidate, iterations);
      if (round >= warmup) samples.get(candidate.name)!.push(ns);
    }
  }
  return new Map([...samples].map(([name, values]) => [name, median(values)]));
}

/** Prints a table: ns/call, overhead above the baseline, and our overhead as a ratio of each peer's. */
export function report(
  title: string,
  results: Results,
  spec: { baseline: string; ours: string; peers: string[]; target?: number },
): { ratios: Record<string, number> } {
  const base = results.get(spec.baseline)!;
  const overhead = (name: string): number => results.get(name)! - base;
  console.log(`\n## ${title}`);
  console.log(`${'candidate'.padEnd(44)} ${'ns/call'.padStart(10)} ${'overhead'.padStart(10)}`);
  for (const [name, ns] of results) {
    const extra = name === spec.baseline ? '' : (ns - base).toFixed(0);
    console.log(`${name.padEnd(44)} ${ns.toFixed(0).padStart(10)} ${extra.padStart(10)}`);
  }
  const ratios: Record<string, number> = {};
  for (const peer of spec.peers) {
    const ratio = Math.max(overhead(spec.ours), 0) / Math.max(overhead(peer), 1);
    ratios[peer] = ratio;
    const verdict =
      spec.target === undefined
        ? ''
        : ratio <= spec.target
          ? '  (target met)'
          : '  (TARGET MISSED)';
    console.log(
      `overhead ratio ${spec.ours} / ${peer}: ${ratio.toFixed(3)}x${spec.target === undefined ? '' : ` (target <= ${spec.target}x)`}${verdict}`,
    );
  }
  return { ratios };
}
