import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/index.ts';
import { chaos } from './chaos.ts';
import type { ChaosConfig } from './config.ts';
import type { FaultSpec } from './types.ts';
import { withChaos } from './with-chaos.ts';

const search = withChaos(async (q: string) => ({ q, hits: [1, 2, 3], total: 3 }), {
  operation: 'tool:search',
  tool: 'search',
});
const llm = withChaos(async (prompt: string) => `answer to ${prompt} is 42`, {
  operation: 'llm.generate',
  url: 'https://api.example.com/v1',
});
const save = withChaos(async (data: string) => data.length, {
  operation: 'fs.writeFile',
  path: '/tmp/out',
});

/** A small agent program: concurrent steps, retries, timers. */
async function program(clock: VirtualClock): Promise<void> {
  const attempt = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    for (let i = 0; i < 3; i++) {
      try {
        return await fn();
      } catch {
        await clock.sleep(100 * 2 ** i);
      }
    }
    return undefined;
  };
  for (let round = 0; round < 20; round++) {
    await Promise.all([attempt(() => search(`q${round}`)), attempt(() => llm(`p${round}`))]);
    await attempt(() => save(`round ${round}`));
    await clock.sleep(50);
  }
}

const faults: FaultSpec[] = [
  {
    kind: 'error',
    name: 'llm-errors',
    type: ['rate-limited', 'unavailable'],
    probability: 0.2,
    target: { operation: 'llm.*' },
  },
  { kind: 'latency', name: 'slow', ms: 300, distribution: 'pareto', probability: 0.3 },
  { kind: 'network', name: 'net', probability: 0.1, target: { tool: 'search' } },
  { kind: 'disk', name: 'disk', probability: 0.15 },
  { kind: 'hallucination', name: 'wrong', probability: 0.2, target: { operation: 'llm.*' } },
];

async function journalOf(config: ChaosConfig): Promise<string> {
  const clock = new VirtualClock();
  return clock
    .run(
      chaos.run({ ...config, clock }, async ({ scope }) => {
        await program(clock);
        return scope.journal;
      }),
    )
    .then((journal) => journal.toJsonLines());
}

describe('journal', () => {
  it('the same seed and program produce a byte-identical journal', async () => {
    const config: ChaosConfig = {
      enabled: true,
      seed: 'replay-me',
      failureRate: 0.2,
      types: ['error', 'latency', 'network', 'disk', 'hallucination', 'crash'],
      faults,
      killSwitch: false,
    };
    const a = await journalOf(config);
    const b = await journalOf(config);
    expect(a).toBe(b);
    const lines = a.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(20);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ type: 'start', seed: 'replay-me' });
    expect(JSON.parse(lines.at(-1) ?? '')).toMatchObject({ type: 'stop', reason: 'scope-end' });
    const kinds = new Set(lines.map((l) => (JSON.parse(l) as { kind?: string }).kind));
    for (const kind of ['error', 'latency', 'network', 'disk', 'hallucination', 'crash'])
      expect(kinds).toContain(kind);
  });

  it('another seed gives another journal', async () => {
    const base: ChaosConfig = { enabled: true, faults, killSwitch: false };
    expect(await journalOf({ ...base, seed: 1 })).not.toBe(await journalOf({ ...base, seed: 2 }));
  });

  it("adding a fault does not shift another fault's draws", async () => {
    // Each fault draws from random.fork('fault:' + name): a new fault on another operation leaves
    // the decisions of the existing ones (which calls, what effect) unchanged.
    const decisionsOf = async (extra: FaultSpec[]): Promise<string[]> => {
      const journal = await journalOf({
        enabled: true,
        seed: 9,
        faults: [...extra, faults[0]!, faults[3]!],
        killSwitch: false,
      });
      return journal
        .trimEnd()
        .split('\n')
        .map(
          (l) => JSON.parse(l) as { type: string; fault?: string; time?: number; effect?: unknown },
        )
        .filter((e) => e.type === 'injection' && e.fault !== 'added')
        .map((e) => JSON.stringify([e.fault, e.time, e.effect]));
    };
    const before = await decisionsOf([]);
    const after = await decisionsOf([
      { kind: 'hallucination', name: 'added', probability: 0.5, target: { tool: 'search' } },
    ]);
    expect(before.length).toBeGreaterThan(5);
    expect(after).toEqual(before);
  });
});
