import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunHistory } from '../store/index.ts';
import { main, type CliIo } from './main.ts';

function capture(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (text) => (out += text),
    stderr: (text) => (err += text),
    isTty: false,
    out: () => out,
    err: () => err,
  };
}

describe('faultline CLI', () => {
  it('lists its commands in --help and exits 0', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toContain('history [options]');
    expect(io.out()).toContain('demo');
  });

  it('answers a bad flag value with one line naming flag, value and expectation, exit 2', async () => {
    const io = capture();
    expect(await main(['history', '--limit', '0'], io)).toBe(2);
    expect(io.err()).toContain('--limit must be an integer >= 1, got "0"');
    expect(io.err()).not.toContain('    at ');
  });

  it('answers an unknown command with exit 2', async () => {
    const io = capture();
    expect(await main(['explode'], io)).toBe(2);
    expect(io.err()).toContain("unknown command 'explode'");
  });

  it('lists and compares stored runs', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'faultline-cli-')), 'history.db');
    const history = RunHistory.open(db);
    for (const [id, rate] of [
      ['r1', 0.8],
      ['r2', 0.95],
    ] as const) {
      history.record({
        id,
        kind: 'campaign',
        name: 'demo',
        seed: '7',
        startedAt: id === 'r1' ? 1 : 2,
        finishedAt: 3,
        status: 'passed',
        summary: { successRate: rate },
        config: {},
        metrics: {},
      });
    }
    history.close();
    const list = capture();
    expect(await main(['history', '--db', db], list)).toBe(0);
    expect(list.out().split('\n')[1]).toMatch(/^r2\s+campaign\s+demo\s+passed/);
    const compare = capture();
    expect(await main(['history', '--db', db, '--compare', 'r1,r2', '--json'], compare)).toBe(0);
    expect(JSON.parse(compare.out())).toEqual([
      { metric: 'successRate', before: 0.8, after: 0.95, delta: 0.95 - 0.8 },
    ]);
    const wrong = capture();
    expect(await main(['history', '--db', db, '--compare', 'r1'], wrong)).toBe(2);
    expect(wrong.err()).toContain('--compare takes exactly two run ids');
  });
});
