import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunHistory } from '../../store/index.ts';
import { main, type CliIo } from '../main.ts';

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

const seeds = join(import.meta.dirname, '..', '..', '..', 'examples', 'ecommerce', 'experiments');
const modelTimeout = join(seeds, 'model-timeout.yaml');

function workdir(): { dir: string; db: string; journals: string } {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-run-cli-'));
  return { dir, db: join(dir, 'history.db'), journals: join(dir, 'journals') };
}

/** A variant of the model-timeout seed, with `replace` applied to its text. */
function variant(dir: string, name: string, replace: [string, string][]): string {
  let text = readFileSync(modelTimeout, 'utf8');
  for (const [from, to] of replace) {
    expect(text).toContain(from);
    text = text.replace(from, to);
  }
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('faultline run', () => {
  it('has help with examples and exit codes', async () => {
    const io = capture();
    expect(await main(['run', '--help'], io)).toBe(0);
    const help = io.out();
    expect(help).toContain('Usage: faultline run [options] <targets...>');
    for (const flag of [
      '--runs <n>',
      '--seed <seed>',
      '--chaos-types <kinds>',
      '--failure-rate <p>',
      '--duration <duration>',
      '--output-report <path>',
      '--format <format>',
      '--verbose',
      '--real-time',
      '--dashboard',
      '--db <path>',
    ]) {
      expect(help).toContain(flag);
    }
    expect(help).toContain(
      'Examples:\n  faultline run examples/ecommerce/experiments/tool-server-down.yaml',
    );
    expect(help).toMatch(/Exit codes: 0 every hypothesis confirmed, 1 one was not/);
    expect(help).toContain('SIGUSR2');
  });

  it('runs an experiment: exit 0, journal, report and history entry', async () => {
    const { dir, db, journals } = workdir();
    const report = join(dir, 'out', 'report.html');
    const io = capture();
    const code = await main(
      [
        'run',
        modelTimeout,
        '--runs',
        '5',
        '--seed',
        '1',
        '--db',
        db,
        '--journal-dir',
        journals,
        '--output-report',
        report,
      ],
      io,
    );
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.out()).toContain('Result: completed — hypothesis CONFIRMED');
    expect(io.out()).toContain('  method: 5 runs (injecting)');
    expect(io.out()).toContain('slow-model (fault latency): ended — 15 injections');
    expect(readFileSync(report, 'utf8')).toMatch(/^<!doctype html>/i);
    const [journal] = readdirSync(journals);
    expect(journal).toMatch(/^experiment-model-timeout-.*\.json$/);
    const history = RunHistory.open(db);
    try {
      const [entry] = history.list();
      expect(entry).toMatchObject({
        id: journal?.replace(/\.json$/, ''),
        kind: 'experiment',
        name: 'model-timeout',
        seed: '1',
        status: 'passed',
      });
      expect(entry?.summary.runs).toBe(5);
    } finally {
      history.close();
    }
  });

  it('exits 1 when a hypothesis is not confirmed (the CI gate), and when the method is skipped', async () => {
    const { dir, db } = workdir();
    const strict = variant(dir, 'strict.yaml', [['detectionTime: <= 30s', 'detectionTime: <= 1s']]);
    const io = capture();
    expect(await main(['run', strict, '--runs', '3', '--db', db, '--no-progress'], io)).toBe(1);
    expect(io.out()).toContain('✗ Detection time: expected ≤ 1 s, got 30 s (worst of 3 runs)');
    expect(io.out()).toContain('Result: completed — hypothesis NOT confirmed');
    expect(io.out()).toContain('At least one hypothesis was not confirmed (exit code 1).');

    const unmeetable = variant(dir, 'unmeetable.yaml', [['tolerance: < 30s', 'tolerance: < 1ms']]);
    const io2 = capture();
    expect(
      await main(
        ['run', unmeetable, '--runs', '3', '--no-history', '--journal-dir', join(dir, 'j')],
        io2,
      ),
    ).toBe(1);
    expect(io2.out()).toContain('Steady state before: NOT met (3 runs)');
    expect(io2.out()).toContain('Result: skipped — hypothesis not judged');
    expect(io2.out()).not.toContain('Method:');
  });

  it('runs scenarios by name through the campaign runner, with --chaos-types', async () => {
    const { db } = workdir();
    const io = capture();
    const code = await main(
      ['run', 'model-timeout', 'ToolServerDown', '--runs', '3', '--seed', '9', '--db', db],
      io,
    );
    expect(code).toBe(0);
    expect(io.out()).toContain(
      'Scenarios: ModelTimeout, ToolServerDown (3 runs each, seed 9, virtual time)',
    );
    expect(io.out()).toContain('✓ ToolServerDown: 3/3 runs met every expectation');
    const history = RunHistory.open(db);
    try {
      expect(
        history
          .list()
          .map((r) => r.name)
          .sort(),
      ).toEqual(['ModelTimeout', 'ToolServerDown', 'run']);
    } finally {
      history.close();
    }
    // Without its network fault, ToolServerDown's expectations (retries, failure) cannot hold.
    const io2 = capture();
    expect(
      await main(
        ['run', 'ToolServerDown', '--runs', '2', '--chaos-types', 'disk', '--no-history'],
        io2,
      ),
    ).toBe(1);
    expect(io2.out()).toContain('✗ ToolServerDown: 0/2 runs met every expectation');
  });

  it.each([
    [['run'], "error: missing required argument 'targets'"],
    [
      ['run', 'nope.yaml'],
      'faultline: experiment file not found: nope.yaml\n  hint: check the path',
    ],
    [['run', 'Bogus'], 'faultline: "Bogus" is neither an experiment file nor a scenario'],
    [['run', modelTimeout, '--runs', '0'], '--runs must be an integer >= 1, got "0"'],
    [
      ['run', modelTimeout, '--failure-rate', '2'],
      '--failure-rate must be a number between 0 and 1, got "2"',
    ],
    [['run', modelTimeout, '--format', 'pdf'], '--format must be one of md, html, json, got "pdf"'],
    [
      ['run', modelTimeout, '--format', 'html'],
      '--format applies to the report\n  hint: add --output-report <path>',
    ],
    [
      ['run', modelTimeout, '--chaos-types', 'network,bogus'],
      '--chaos-types must list fault kinds, got "bogus"',
    ],
    [
      ['run', modelTimeout, '--duration', 'soon'],
      '--duration must be a duration such as 500ms, 30s, 5m or 1h',
    ],
  ])('%j is a usage error: exit 2, one clear line, no stack', async (argv, expected) => {
    const io = capture();
    expect(await main(argv, io)).toBe(2);
    expect(io.err()).toContain(expected);
    expect(io.err()).not.toContain('    at ');
  });

  it('draws a progress bar per phase on a terminal', async () => {
    const io = { ...capture(), isTty: true };
    const out: string[] = [];
    io.stdout = (text) => {
      out.push(text);
    };
    const { journals } = workdir();
    expect(
      await main(
        ['run', modelTimeout, '--runs', '3', '--no-history', '--journal-dir', journals],
        io,
      ),
    ).toBe(0);
    const screen = out.join('');
    expect(screen).toMatch(/method {14}.* 3\/3 runs \| 0 failed/);
    expect(screen).toMatch(/steady-state-after {2}.* 3\/3 runs/);
  });

  it('refuses a configuration the system does not take (exit 2)', async () => {
    const { dir } = workdir();
    const path = variant(dir, 'configured.yaml', [
      ['runs: 200', 'runs: 2\nconfiguration: { tokenBudget: 10 }'],
    ]);
    const io = capture();
    expect(await main(['run', path, '--no-history'], io)).toBe(2);
    expect(io.err()).toContain(
      'faultline: the ecommerce system takes only "resilience: true|false" as configuration, got {"tokenBudget":10}',
    );
  });

  it('serves the live dashboard while running with --dashboard, and closes it at the end', async () => {
    const { db, journals } = workdir();
    const io = capture();
    const code = await main(
      [
        'run',
        modelTimeout,
        '--runs',
        '2',
        '--db',
        db,
        '--journal-dir',
        journals,
        '--dashboard',
        '--dashboard-port',
        '0',
      ],
      io,
    );
    expect(code).toBe(0);
    const url = /Live dashboard on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(io.out())?.[1];
    expect(url).toBeDefined();
    await expect(fetch(url ?? '')).rejects.toThrow();
  });

  it('an invalid experiment file: exit 2 with every problem and its line', async () => {
    const { dir } = workdir();
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'title: Bad\nsystem: elsewhere\nruns: -1\n');
    const io = capture();
    expect(await main(['run', path], io)).toBe(2);
    const err = io.err();
    expect(err).toContain(`faultline: Invalid experiment file ${path} (5 problems):`);
    expect(err).toContain(`${path}:2:9: system: expected one of 'ecommerce', got "elsewhere"`);
    expect(err).toContain(`${path}:3:7: runs:`);
    expect(err).toContain('hint: fix the experiment file and run again');
    expect(err).not.toContain('    at ');
    expect(existsSync(join(dir, 'journals'))).toBe(false);
  });
});
