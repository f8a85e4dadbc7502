import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
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

const examples = join(import.meta.dirname, '..', '..', '..', 'examples', 'ecommerce');
const catalogFile = join(examples, 'failure-modes.yaml');

const dir = mkdtempSync(join(tmpdir(), 'faultline-report-cli-'));
const db = join(dir, 'history.db');
const journals = join(dir, 'journals');
let experimentId = '';
let journalFile = '';
let campaignId = '';

beforeAll(async () => {
  const io = capture();
  const args = [
    '--runs',
    '4',
    '--seed',
    '3',
    '--db',
    db,
    '--journal-dir',
    journals,
    '--no-progress',
  ];
  expect(
    await main(['run', join(examples, 'experiments', 'model-timeout.yaml'), ...args], io),
  ).toBe(0);
  expect(await main(['run', 'ToolServerDown', ...args], io)).toBe(0);
  const history = RunHistory.open(db);
  try {
    experimentId = history.list({ kind: 'experiment' })[0]?.id ?? '';
    campaignId = history.list({ name: 'run' })[0]?.id ?? '';
  } finally {
    history.close();
  }
  journalFile = join(journals, readdirSync(journals)[0] ?? '');
});

describe('faultline report', () => {
  it('renders the reliability report of a journal file as Markdown on stdout', async () => {
    const io = capture();
    expect(await main(['report', journalFile], io)).toBe(0);
    expect(io.out()).toMatch(/^# Reliability engineering report: ecommerce/);
    expect(io.out()).toContain('| Model takes over 60 seconds to answer |');
    expect(io.out()).toContain('n = 4 runs, seed 3');
  });

  it('renders a history entry by run id, as HTML or JSON, written atomically', async () => {
    const html = join(dir, 'r.html');
    const io = capture();
    expect(await main(['report', experimentId, '--db', db, '--output', html], io)).toBe(0);
    expect(io.out()).toBe(`Wrote the reliability report to ${html}\n`);
    expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>/i);
    const io2 = capture();
    expect(await main(['report', campaignId, '--db', db, '--format', 'json'], io2)).toBe(0);
    const report = JSON.parse(io2.out()) as {
      experiments: { id: string; confirmed: boolean }[];
      runs: number;
    };
    expect(report.experiments).toEqual([
      expect.objectContaining({ id: 'ToolServerDown', confirmed: true }),
    ]);
    expect(report.runs).toBe(4);
  });

  it('lists unhandled high-priority failure modes as risks with --failure-modes', async () => {
    const io = capture();
    expect(
      await main(['report', journalFile, '--failure-modes', catalogFile, '--format', 'json'], io),
    ).toBe(0);
    const report = JSON.parse(io.out()) as { risks: { source: string }[] };
    expect(report.risks.some((r) => r.source.startsWith('failure mode '))).toBe(true);
  });

  it.each([
    [['report', 'no-such-run'], 'no journal file or run with id "no-such-run"'],
    [['report', 'missing/journal.json'], 'no such file: missing/journal.json'],
    [['report', 'x', '--format', 'pdf'], '--format must be one of md, html, json, got "pdf"'],
  ])('%j is a usage error (exit 2)', async (argv, expected) => {
    const io = capture();
    expect(await main([...argv, '--db', db], io)).toBe(2);
    expect(io.err()).toContain(expected);
    expect(io.err()).not.toContain('    at ');
  });

  it('refuses a file that is not a journal, and a missing history', async () => {
    const other = join(dir, 'other.json');
    writeFileSync(other, '{"format":"faultline.metrics/v1"}');
    const io = capture();
    expect(await main(['report', other], io)).toBe(2);
    expect(io.err()).toContain('not an experiment journal');
    const io2 = capture();
    expect(await main(['report', 'some-id', '--db', join(dir, 'none.db')], io2)).toBe(2);
    expect(io2.err()).toContain(`no run history at ${join(dir, 'none.db')}`);
  });

  it('has help with examples', async () => {
    const io = capture();
    expect(await main(['report', '--help'], io)).toBe(0);
    expect(io.out()).toContain('Usage: faultline report [options] <journal-or-run-id>');
    expect(io.out()).toContain('Examples:\n  faultline report .faultline/journals/');
  });
});

describe('faultline catalog', () => {
  it('fills the catalog from the latest results in the history', async () => {
    const io = capture();
    expect(await main(['catalog', '--file', catalogFile, '--db', db], io)).toBe(0);
    const md = io.out();
    expect(md).toMatch(/^# /);
    expect(md).toContain('## Priority matrix');
    // model-timeout and ToolServerDown match AF-001 and TF-001 in the example's catalog.
    expect(md).toMatch(/\| AF-001 \| Model answers too slowly \|.*✅ handled/);
    expect(md).toMatch(/\| TF-001 \| Image upload tool server unavailable \|.*✅ handled/);
  });

  it('fills it from chosen runs only (--run), as JSON', async () => {
    const io = capture();
    expect(
      await main(['catalog', '--file', catalogFile, '--run', journalFile, '--format', 'json'], io),
    ).toBe(0);
    const catalog = JSON.parse(io.out()) as {
      entries: { id: string; status: string }[];
      results: { total: number; matched: number };
    };
    expect(catalog.results).toEqual({ total: 1, matched: 1 });
    expect(catalog.entries.find((e) => e.id === 'AF-001')?.status).toBe('handled');
    expect(catalog.entries.find((e) => e.id === 'TF-001')?.status).toBe('untested');
  });

  it('writes HTML atomically and says what it did', async () => {
    const out = join(dir, 'catalog.html');
    const io = capture();
    expect(await main(['catalog', '--file', catalogFile, '--db', db, '--output', out], io)).toBe(0);
    expect(io.out()).toMatch(
      /^Wrote the failure-mode catalog to .*catalog\.html: 13 failure modes, 2 of 2 results matched\n$/,
    );
    expect(readFileSync(out, 'utf8')).toMatch(/^<!doctype html>/i);
  });

  it('a missing or invalid catalog file is a usage error', async () => {
    const io = capture();
    expect(await main(['catalog', '--file', join(dir, 'none.yaml')], io)).toBe(2);
    expect(io.err()).toContain(`no failure-mode catalog at ${join(dir, 'none.yaml')}`);
    const bad = join(dir, 'bad-catalog.yaml');
    writeFileSync(bad, 'failureModes:\n  - id: XX-1\n');
    const io2 = capture();
    expect(await main(['catalog', '--file', bad], io2)).toBe(2);
    expect(io2.err()).toContain('Invalid failure-mode catalog');
    expect(io2.err()).toContain(`${bad}:2:`);
  });

  it('has help with examples', async () => {
    const io = capture();
    expect(await main(['catalog', '--help'], io)).toBe(0);
    expect(io.out()).toContain('--file <path>');
    expect(io.out()).toContain('--run <ids>');
    expect(io.out()).toContain(
      'Examples:\n  faultline catalog --file examples/ecommerce/failure-modes.yaml',
    );
  });
});
