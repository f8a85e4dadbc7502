import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExperimentJournal } from '../../../src/experiments/experiment-runner-journal.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const bin = join(root, 'bin', 'faultline.js');
const seeds = join(root, 'examples', 'ecommerce', 'experiments');

interface Cli {
  readonly exited: Promise<number | null>;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves once stdout contains `text`. */
  waitFor(text: string): Promise<void>;
  signal(name: NodeJS.Signals): void;
}

/** The real `faultline` process, with the repository's Node (the one running the tests). */
function faultline(args: readonly string[], cwd: string): Cli {
  const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of [...waiters]) {
      if (out.includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      resolve(code);
    }),
  );
  return {
    exited,
    stdout: () => out,
    stderr: () => err,
    waitFor: (text) =>
      out.includes(text)
        ? Promise.resolve()
        : new Promise((resolve, reject) => {
            waiters.push({ text, resolve });
            void exited.then(() => {
              reject(new Error(`exited before printing "${text}":\n${out}\n${err}`));
            });
          }),
    signal: (name) => child.kill(name),
  };
}

describe('faultline run, as a process', () => {
  it('runs a seed experiment: exit 0, report file and journal written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-e2e-run-'));
    const cli = faultline(
      [
        'run',
        join(seeds, 'model-timeout.yaml'),
        '--runs',
        '20',
        '--seed',
        '1',
        '--output-report',
        'out/report.md',
      ],
      dir,
    );
    expect(await cli.exited, cli.stderr()).toBe(0);
    expect(cli.stdout()).toContain('Result: completed — hypothesis CONFIRMED');
    const report = readFileSync(join(dir, 'out', 'report.md'), 'utf8');
    expect(report).toMatch(/^# Reliability engineering report: ecommerce/);
    expect(report).toContain('n = 20 runs, seed 1');
    // Defaults: history and journals under .faultline/ in the working directory.
    expect(existsSync(join(dir, '.faultline', 'history.db'))).toBe(true);
    const journals = readdirSync(join(dir, '.faultline', 'journals'));
    expect(journals).toHaveLength(1);
  });

  it('exits 1 when the hypothesis is not confirmed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-e2e-run-'));
    const strict = join(dir, 'strict.yaml');
    writeFileSync(
      strict,
      readFileSync(join(seeds, 'model-timeout.yaml'), 'utf8').replace(
        'detectionTime: <= 30s',
        'detectionTime: <= 5s',
      ),
    );
    const cli = faultline(['run', strict, '--runs', '20', '--seed', '1', '--no-history'], dir);
    expect(await cli.exited, cli.stderr()).toBe(1);
    expect(cli.stdout()).toContain('hypothesis NOT confirmed');
  });

  it('SIGUSR2 trips the kill switch of a running experiment: injection stops, rollbacks run, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-e2e-run-'));
    const cli = faultline(
      [
        'run',
        join(seeds, 'model-timeout.yaml'),
        '--runs',
        '5000',
        '--steady-state-runs',
        '3',
        '--seed',
        '1',
        '--no-history',
        '--journal-dir',
        'journals',
      ],
      dir,
    );
    await cli.waitFor('method: 5000 runs (injecting)');
    cli.signal('SIGUSR2');
    expect(await cli.exited, cli.stderr()).toBe(1);
    expect(cli.stderr()).toContain('faultline: SIGUSR2 received: tripping the kill switch');
    expect(cli.stderr()).toMatch(/KILL SWITCH tripped \(manual\) during method: SIGUSR2 received/);
    expect(cli.stdout()).toContain('Result: aborted — hypothesis not judged');
    const [file] = readdirSync(join(dir, 'journals'));
    const journal = parseExperimentJournal(readFileSync(join(dir, 'journals', file ?? ''), 'utf8'));
    expect(journal.status).toBe('aborted');
    expect(journal.killSwitch).toMatchObject({ trigger: 'manual', phase: 'method' });
    // The runs made before the kill switch tripped are in the journal, not the rest.
    expect(journal.method?.runs).toBeGreaterThan(0);
    expect(journal.method?.runs).toBeLessThan(5000);
    expect(journal.steadyStateAfter).toBeNull();
    expect(journal.rollback).toMatchObject({ ran: true });
    expect(journal.rollback.actions).toEqual([
      expect.objectContaining({ action: 'clear-faults', status: 'succeeded' }),
    ]);
  });
});
