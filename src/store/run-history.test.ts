import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInvalidOptionError } from '../core/index.ts';
import { RunHistory } from './run-history.ts';
import type { RunRecord } from './run-record.ts';

const run = (id: string, overrides: Partial<RunRecord> = {}): RunRecord => ({
  id,
  kind: 'run',
  name: 'ToolServerDown',
  seed: `seed-${id}`,
  startedAt: 1_000,
  finishedAt: 2_000,
  status: 'passed',
  summary: { successRate: 0.9, mttrP50Ms: 1200 },
  config: { runs: 10 },
  metrics: { retries: 3 },
  journal: '{"type":"start"}\n',
  ...overrides,
});

const tempPath = (): string =>
  join(mkdtempSync(join(tmpdir(), 'faultline-history-')), 'nested', 'history.db');

describe('RunHistory', () => {
  it('stores and reads back a whole record, creating its directory', () => {
    const history = RunHistory.open(tempPath());
    const record = run('a', { parentId: 'campaign-1', tags: ['nightly'] });
    history.record(record);
    expect(history.get('a')).toEqual(record);
    expect(history.get('missing')).toBeUndefined();
    history.close();
  });

  it('lists newest first with filters and a limit, without the bulky fields', () => {
    const history = RunHistory.open(':memory:');
    history.recordMany([
      run('old', { startedAt: 1 }),
      run('mid', { startedAt: 2, kind: 'campaign' }),
      run('new', { startedAt: 3 }),
      run('other', { startedAt: 4, name: 'ModelTimeout' }),
    ]);
    expect(history.list({ name: 'ToolServerDown' }).map((r) => r.id)).toEqual([
      'new',
      'mid',
      'old',
    ]);
    expect(history.list({ name: 'ToolServerDown', limit: 1 }).map((r) => r.id)).toEqual(['new']);
    expect(history.list({ kind: 'campaign' }).map((r) => r.id)).toEqual(['mid']);
    expect(history.list({ since: 3 }).map((r) => r.id)).toEqual(['other', 'new']);
    expect(history.count({ name: 'ToolServerDown' })).toBe(3);
    expect(history.count()).toBe(4);
    expect(history.list({ limit: 1 })[0]).not.toHaveProperty('metrics');
    history.close();
  });

  it('compares two runs metric by metric and trends one metric oldest first', () => {
    const history = RunHistory.open(':memory:');
    history.record(run('before', { startedAt: 1, summary: { successRate: 0.8, mttrP50Ms: 3000 } }));
    history.record(run('after', { startedAt: 2, summary: { successRate: 0.95, crashes: 0 } }));
    expect(history.compare('before', 'after')).toEqual([
      { metric: 'crashes', before: undefined, after: 0, delta: undefined },
      { metric: 'mttrP50Ms', before: 3000, after: undefined, delta: undefined },
      { metric: 'successRate', before: 0.8, after: 0.95, delta: 0.95 - 0.8 },
    ]);
    expect(history.trend('ToolServerDown', 'successRate')).toEqual([
      { id: 'before', at: 1, value: 0.8 },
      { id: 'after', at: 2, value: 0.95 },
    ]);
    expect(() => history.compare('before', 'nope')).toThrow(
      'history.compare: option \'id\' must be the id of a stored run (see `faultline history`), got "nope"',
    );
    history.close();
  });

  it('rejects a bad record naming the field, and stores nothing of a failed batch', () => {
    const history = RunHistory.open(':memory:');
    history.record(run('kept'));
    let error: unknown;
    try {
      history.recordMany([run('x'), run('y', { status: 'great' as never })]);
    } catch (e) {
      error = e;
    }
    expect(isInvalidOptionError(error)).toBe(true);
    expect((error as Error).message).toBe(
      'runs[1]: option \'status\' must be one of passed, failed, aborted, error, got "great"',
    );
    expect(() => {
      history.record(run('z', { summary: { rate: Number.NaN } }));
    }).toThrow("run: option 'summary.rate' must be a finite number, got NaN");
    expect(history.list().map((r) => r.id)).toEqual(['kept']);
    history.close();
  });

  it('replaces a record with the same id', () => {
    const history = RunHistory.open(':memory:');
    history.record(run('a', { status: 'failed' }));
    history.record(run('a', { status: 'passed' }));
    expect(history.count()).toBe(1);
    expect(history.get('a')?.status).toBe('passed');
    history.close();
  });

  it('refuses a history written by a newer schema', () => {
    const path = tempPath();
    RunHistory.open(path).close();
    const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
    const db = new DatabaseSync(path);
    db.exec('PRAGMA user_version = 99');
    db.close();
    expect(() => RunHistory.open(path)).toThrow(/newer faultline \(history schema 99/);
  });
});
