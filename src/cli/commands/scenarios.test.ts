import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../main.ts';

function capture(): CliIo & { out: () => string } {
  let out = '';
  return {
    stdout: (text) => (out += text),
    stderr: () => undefined,
    isTty: false,
    out: () => out,
  };
}

describe('faultline scenarios', () => {
  it('lists the ten scenarios with their hypotheses', async () => {
    const io = capture();
    expect(await main(['scenarios'], io)).toBe(0);
    const lines = io.out().split('\n');
    const names = lines.filter((l) => /^[A-Z]/.test(l)).map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual([
      'ProductCrashMidUpload',
      'MarketingTimeout',
      'HandoffCorruption',
      'DelayedRecovery',
      'CascadeFailure',
      'ToolServerDown',
      'ModelTimeout',
      'AgentLoop',
      'PartialOrchestrationFailure',
      'BudgetExhausted',
      'Run',
    ]);
    expect(lines.filter((l) => l.trim().startsWith('Hypothesis: When '))).toHaveLength(10);
    expect(io.out()).not.toContain('Fault:');
  });

  it('shows faults and expected behaviour with --verbose', async () => {
    const io = capture();
    expect(await main(['scenarios', '--verbose'], io)).toBe(0);
    expect(io.out()).toContain(
      'Fault: upload-server-down (network) on {"operation":"tool:upload-image"}: error="ECONNREFUSED", probability=1',
    );
    expect(io.out()).toContain('Expected: Detection time: ≤ 10 s');
  });

  it('prints JSON with --json', async () => {
    const io = capture();
    expect(await main(['scenarios', '--json'], io)).toBe(0);
    const parsed = JSON.parse(io.out()) as {
      name: string;
      hypothesis: string;
      faultKinds: string[];
      chaos: { faults: Record<string, unknown>[] };
      expectations: { id: string }[];
    }[];
    expect(parsed).toHaveLength(10);
    const loop = parsed.find((s) => s.name === 'AgentLoop');
    expect(loop?.faultKinds).toEqual(['hallucination']);
    // The code-only mutate function is left out of JSON.
    expect(loop?.chaos.faults[0]).toEqual({
      kind: 'hallucination',
      name: 'review-never-approves',
      probability: 1,
      target: { operation: 'llm:review-campaign' },
    });
  });
});
