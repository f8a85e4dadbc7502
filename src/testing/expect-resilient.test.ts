import { AssertionError } from 'node:assert';
import { describe, expect, it } from 'vitest';
import { ChaosEngine, withChaos } from '../faults/index.ts';
import { expectResilient } from './expect-resilient.ts';

const lookup = withChaos(async () => 'ok', { operation: 'tool:lookup' });
const engine = new ChaosEngine({
  enabled: true,
  seed: 'r',
  failureRate: 0.3,
  types: ['network'],
  killSwitch: false,
});

describe('expectResilient', () => {
  it('passes a resilient run', async () => {
    const result = await engine.runChaosTest(
      async () => {
        for (let i = 0; ; i++) {
          try {
            return await lookup();
          } catch (error) {
            if (i === 5) throw error;
          }
        }
      },
      { iterations: 100 },
    );
    expect(() => {
      expectResilient(result, { minRecoveryRate: 0.9, maxCrashes: 0 });
    }).not.toThrow();
  });

  it('fails with a readable list of failed recoveries and crashes', async () => {
    const result = await engine.runChaosTest(() => lookup(), { iterations: 40 });
    let caught: unknown;
    try {
      expectResilient(result, { minRecoveryRate: 0.9, maxCrashes: 0, listLimit: 2 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AssertionError);
    const lines = (caught as Error).message.split('\n');
    expect(lines[0]).toBe(
      `Not resilient enough (seed "r", 40 operation(s), ${result.totalInjections} injection(s)):`,
    );
    expect(lines[1]).toBe(`  - recovery rate 0% (0 of ${result.totalInjections}) is below 90%`);
    expect(lines[2]).toBe(`  - ${result.crashes} crash(es), at most 0 allowed`);
    expect(lines[3]).toBe(`Failed recoveries (${result.totalInjections}):`);
    expect(lines[4]).toMatch(
      /^ {2}❌ #1 op \d+ at 0 ms: network 'network' on tool:lookup: fail Error ECONNRESET: read ECONNRESET -> Error: read ECONNRESET$/,
    );
    expect(lines[6]).toBe(`  ... and ${result.totalInjections - 2} more`);
    expect(lines[7]).toBe(`Crashes (${result.crashes}):`);
    expect(lines[8]).toMatch(/^ {2}💥 op \d+ \(1 injection\(s\)\): Error: read ECONNRESET$/);
  });

  it('fails a run where nothing was injected', async () => {
    const off = await new ChaosEngine({ seed: 1, types: ['network'] }).runChaosTest(() => lookup());
    expect(() => {
      expectResilient(off);
    }).toThrow(/only 0 injection\(s\), expected at least 1 \(is chaos enabled/);
  });
});
