import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunHistory } from '../../store/index.ts';
import { main, type CliIo } from '../main.ts';

function capture(isTty = false): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (text) => (out += text),
    stderr: (text) => (err += text),
    isTty,
    out: () => out,
    err: () => err,
  };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'faultline-demo-'));
}

describe('faultline demo', () => {
  it('runs the campaign, prints the table, writes reports and exports, records the history', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const db = join(dir, 'history.db');
    const io = capture();
    expect(await main(['demo', '--runs', '2', '--output', out, '--db', db], io)).toBe(0);
    const text = io.out();
    expect(text).toContain('20 runs (2 per scenario), seed 42, virtual time, concurrency 4');
    // Plain progress lines when stdout is not a terminal.
    expect(text).toContain('  20/20 runs (100%), 0 broke an expectation');
    expect(text).toMatch(/Scenario\s+Runs\s+Success\s+Recovery\s+MTTR-A p50\s+p95\s+p99/);
    expect(text).toMatch(/ToolServerDown\s+2\s+0\.0%\s+0\.0%/);
    expect(text).toMatch(/ProductCrashMidUpload\s+2\s+100\.0%\s+100\.0%\s+\d/);
    expect(text).toContain('Every hypothesis held in all 20 runs.');
    expect(io.err()).toBe('');

    const files = readdirSync(out).sort();
    expect(files.filter((f) => !f.startsWith('faultline-metrics-'))).toEqual([
      'campaign-report.md',
      'campaign-result.json',
      'chaos-report.json',
      'chaos-report.md',
    ]);
    expect(
      files.filter((f) => f.startsWith('faultline-metrics-')).map((f) => f.replace(/^.*Z-/, '')),
    ).toEqual(['events.csv', 'full.json', 'mttr.csv', 'summary.json']);
    const report = readFileSync(join(out, 'campaign-report.md'), 'utf8');
    expect(report).toContain('## ToolServerDown: The upload tool’s server is down for 60 s');
    expect(report).toContain('| Retries | 3 with backoff per failure |');
    const chaos = JSON.parse(readFileSync(join(out, 'chaos-report.json'), 'utf8')) as {
      operations: number;
      crashes: number;
    };
    expect(chaos).toMatchObject({ operations: 20, crashes: 0 });
    const result = JSON.parse(readFileSync(join(out, 'campaign-result.json'), 'utf8')) as {
      runs: number;
      passed: boolean;
    };
    expect(result).toMatchObject({ runs: 20, passed: true });

    const history = RunHistory.open(db);
    try {
      const [campaign, ...rest] = history.list({ kind: 'campaign', limit: 20 }).reverse();
      expect(rest).toHaveLength(10);
      expect(campaign).toMatchObject({ name: 'ecommerce-demo', status: 'passed', seed: '42' });
      expect(campaign?.summary.runs).toBe(20);
      const scenario = history.list({ name: 'ToolServerDown' })[0];
      expect(scenario).toMatchObject({ parentId: campaign?.id, status: 'passed' });
      expect(scenario?.summary).toMatchObject({ runs: 2, successRate: 0, runsPassed: 2 });
    } finally {
      history.close();
    }
    expect(text).toContain(`Recorded in ${db} as ecommerce-demo-`);
  });

  it('exits 1 and prints each failing run with its seed when a hypothesis breaks', async () => {
    const io = capture();
    const code = await main(
      [
        'demo',
        '--runs',
        '2',
        '--scenarios',
        'product-crash-mid-upload',
        '--no-resilience',
        '--no-reports',
        '--no-history',
        '--no-progress',
      ],
      io,
    );
    expect(code).toBe(1);
    expect(io.out()).toContain('the control');
    expect(io.out()).toContain('2 run(s) broke an expectation; replay one with faultline replay');
    expect(io.out()).toContain(
      'ProductCrashMidUpload  seed 42-ProductCrashMidUpload-0: Restarts of the product agent: expected 1, got 0',
    );
    expect(io.out()).not.toContain('runs (100%)');
  });

  it('prints JSON with --json, and a progress bar on a terminal', async () => {
    const json = capture();
    expect(
      await main(
        [
          'demo',
          '--runs',
          '1',
          '--scenarios',
          'ToolServerDown,AgentLoop',
          '--seed',
          '7',
          '--json',
          '--no-reports',
          '--no-history',
        ],
        json,
      ),
    ).toBe(0);
    const parsed = JSON.parse(json.out()) as {
      runs: number;
      seed: string;
      scenarios: { name: string }[];
    };
    expect(parsed.runs).toBe(2);
    expect(parsed.seed).toBe('7');
    expect(parsed.scenarios.map((s) => s.name)).toEqual(['ToolServerDown', 'AgentLoop']);

    const tty = capture(true);
    expect(
      await main(
        ['demo', '--runs', '1', '--scenarios', 'AgentLoop', '--no-reports', '--no-history'],
        tty,
      ),
    ).toBe(0);
    expect(tty.out()).toContain('1/1 runs | 0 broke an expectation');
  });

  it('answers bad flag values with one line, exit 2', async () => {
    for (const [args, message] of [
      [['--runs', '0'], '--runs must be an integer >= 1, got "0"'],
      [
        ['--scenarios', 'ToolServerDown,Gremlins'],
        '--scenarios must list built-in scenarios, got "Gremlins"',
      ],
      [['--time', 'warp'], '--time must be one of virtual, real, got "warp"'],
      [['--concurrency', 'x'], '--concurrency must be an integer >= 1, got "x"'],
    ] as const) {
      const io = capture();
      expect(await main(['demo', ...args], io)).toBe(2);
      expect(io.err().split('\n')[0]).toBe(`faultline: ${message}`);
    }
  });
});
