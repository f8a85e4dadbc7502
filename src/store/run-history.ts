import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { invalidOption, type JsonValue } from '../core/index.ts';
import type { RunKind, RunRecord, RunStatus, RunSummary } from './run-record.ts';

/** Where the history lives unless told otherwise, relative to the project directory. */
export const defaultHistoryPath = '.faultline/history.db';

/** Filters for {@link RunHistory.list}. */
export interface HistoryQuery {
  /** Only runs of this name. */
  name?: string;
  /** Only this kind. */
  kind?: RunKind;
  /** Only runs belonging to this campaign or experiment. */
  parentId?: string;
  /** Only runs started at or after this epoch millisecond. */
  since?: number;
  /**
   * Most recent first; at most this many.
   * @default 50
   */
  limit?: number;
}

/** One headline number of two runs side by side. */
export interface MetricComparison {
  readonly metric: string;
  readonly before: number | undefined;
  readonly after: number | undefined;
  /** `after - before`, when both exist. */
  readonly delta: number | undefined;
}

/** Options of {@link RunHistory.open}. */
export interface RunHistoryOptions {
  /**
   * How long a writer waits for another process's write lock, in milliseconds.
   * @default 5000
   */
  busyTimeoutMs?: number;
}

const SCHEMA_VERSION = 1;

interface Row {
  id: string;
  kind: string;
  name: string;
  seed: string;
  started_at: number;
  finished_at: number;
  status: string;
  summary: string;
  config?: string;
  metrics?: string;
  journal?: string | null;
  parent_id: string | null;
  tags: string;
}

const summaryColumns =
  'id, kind, name, seed, started_at, finished_at, status, summary, parent_id, tags';

/**
 * The run history: every run, campaign and experiment in one SQLite file (the built-in
 * `node:sqlite`), by default `.faultline/history.db`. Each record is written in its own
 * transaction in WAL mode, so concurrent writers (other processes included) wait for each other
 * instead of failing, and a crash mid-write loses nothing already committed.
 *
 * @example
 * ```ts
 * const history = RunHistory.open();
 * history.record(run);
 * for (const entry of history.list({ name: 'ToolServerDown', limit: 10 })) console.log(entry.summary);
 * history.close();
 * ```
 */
export class RunHistory {
  readonly path: string;
  readonly #db: DatabaseSync;

  private constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.#db = db;
  }

  /** Opens (creating if needed) the history at `path`. */
  static open(path: string = defaultHistoryPath, options: RunHistoryOptions = {}): RunHistory {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new DatabaseSync(path, { timeout: options.busyTimeoutMs ?? 5_000 });
    try {
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
      migrate(db, path);
    } catch (error) {
      db.close();
      throw error;
    }
    return new RunHistory(path, db);
  }

  /** Stores `run`; a record with the same id is replaced. */
  record(run: RunRecord): void {
    this.recordMany([run]);
  }

  /** Stores several records in one transaction: all of them or none. */
  recordMany(runs: readonly RunRecord[]): void {
    const rows = runs.map((run, i) => toRow(run, runs.length === 1 ? 'run' : `runs[${i}]`));
    const insert = this.#db.prepare(
      `INSERT OR REPLACE INTO runs (id, kind, name, seed, started_at, finished_at, status, summary, config, metrics, journal, parent_id, tags)
       VALUES (:id, :kind, :name, :seed, :started_at, :finished_at, :status, :summary, :config, :metrics, :journal, :parent_id, :tags)`,
    );
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      for (const row of rows) insert.run(row as unknown as Record<string, SQLInputValue>);
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  /** The whole record, or `undefined`. */
  get(id: string): RunRecord | undefined {
    const row = this.#db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as Row | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  /** The most recent entries matching `query`, newest first. */
  list(query: HistoryQuery = {}): RunSummary[] {
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1) {
      invalidOption('history.list', 'limit', limit, 'an integer >= 1');
    }
    const { where, params } = filter(query);
    const sql = `SELECT ${summaryColumns} FROM runs ${where} ORDER BY started_at DESC, id DESC LIMIT :limit`;
    return (this.#db.prepare(sql).all({ ...params, limit }) as unknown as Row[]).map(toSummary);
  }

  /** Number of stored entries matching `query`. */
  count(query: Omit<HistoryQuery, 'limit'> = {}): number {
    const { where, params } = filter(query);
    const row = this.#db.prepare(`SELECT COUNT(*) AS n FROM runs ${where}`).get(params) as {
      n: number;
    };
    return row.n;
  }

  /** Headline numbers of two entries side by side (a before/after comparison). */
  compare(beforeId: string, afterId: string): MetricComparison[] {
    const before = this.#require(beforeId);
    const after = this.#require(afterId);
    const metrics = [...new Set([...Object.keys(before.summary), ...Object.keys(after.summary)])];
    return metrics.sort().map((metric) => {
      const b = before.summary[metric];
      const a = after.summary[metric];
      return {
        metric,
        before: b,
        after: a,
        delta: a === undefined || b === undefined ? undefined : a - b,
      };
    });
  }

  /** One headline number across the runs of `name`, oldest first. */
  trend(name: string, metric: string, limit = 50): { id: string; at: number; value: number }[] {
    return this.list({ name, limit })
      .filter((run) => run.summary[metric] !== undefined)
      .map((run) => ({ id: run.id, at: run.startedAt, value: run.summary[metric] as number }))
      .reverse();
  }

  /** Closes the database; the history can no longer be used. */
  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  #require(id: string): RunSummary {
    const row = this.#db.prepare(`SELECT ${summaryColumns} FROM runs WHERE id = ?`).get(id) as
      Row | undefined;
    if (row === undefined) {
      invalidOption(
        'history.compare',
        'id',
        id,
        'the id of a stored run (see `faultline history`)',
      );
    }
    return toSummary(row);
  }
}

function filter(query: Omit<HistoryQuery, 'limit'>): {
  where: string;
  params: Record<string, SQLInputValue>;
} {
  const clauses: string[] = [];
  const params: Record<string, SQLInputValue> = {};
  const add = (column: string, value: SQLInputValue | undefined, op = '='): void => {
    if (value === undefined) return;
    clauses.push(`${column} ${op} :${column}`);
    params[column] = value;
  };
  add('name', query.name);
  add('kind', query.kind);
  add('parent_id', query.parentId);
  add('started_at', query.since, '>=');
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

function migrate(db: DatabaseSync, path: string): void {
  const { user_version: version } = db.prepare('PRAGMA user_version').get() as {
    user_version: number;
  };
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `${path} was written by a newer faultline (history schema ${version}, this version reads up to ${SCHEMA_VERSION})`,
    );
  }
  if (version === SCHEMA_VERSION) return;
  db.exec(`
    BEGIN IMMEDIATE;
    CREATE TABLE IF NOT EXISTS runs (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      name TEXT NOT NULL,
      seed TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      finished_at INTEGER NOT NULL,
      status TEXT NOT NULL,
      summary TEXT NOT NULL,
      config TEXT NOT NULL,
      metrics TEXT NOT NULL,
      journal TEXT,
      parent_id TEXT,
      tags TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS runs_by_name ON runs (name, started_at);
    CREATE INDEX IF NOT EXISTS runs_by_parent ON runs (parent_id);
    PRAGMA user_version = ${SCHEMA_VERSION};
    COMMIT;
  `);
}

const kinds: readonly RunKind[] = ['run', 'campaign', 'experiment'];
const statuses: readonly RunStatus[] = ['passed', 'failed', 'aborted', 'error'];

function toRow(run: RunRecord, owner: string): Row {
  const check = (ok: boolean, field: string, value: unknown, expected: string): void => {
    if (!ok) invalidOption(owner, field, value, expected);
  };
  check(typeof run.id === 'string' && run.id.length > 0, 'id', run.id, 'a non-empty string');
  check(kinds.includes(run.kind), 'kind', run.kind, `one of ${kinds.join(', ')}`);
  check(
    typeof run.name === 'string' && run.name.length > 0,
    'name',
    run.name,
    'a non-empty string',
  );
  check(typeof run.seed === 'string', 'seed', run.seed, 'a string');
  check(Number.isFinite(run.startedAt), 'startedAt', run.startedAt, 'epoch milliseconds');
  check(Number.isFinite(run.finishedAt), 'finishedAt', run.finishedAt, 'epoch milliseconds');
  check(statuses.includes(run.status), 'status', run.status, `one of ${statuses.join(', ')}`);
  for (const [metric, value] of Object.entries(run.summary)) {
    check(Number.isFinite(value), `summary.${metric}`, value, 'a finite number');
  }
  return {
    id: run.id,
    kind: run.kind,
    name: run.name,
    seed: run.seed,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    status: run.status,
    summary: JSON.stringify(run.summary),
    config: JSON.stringify(run.config),
    metrics: JSON.stringify(run.metrics),
    journal: run.journal ?? null,
    parent_id: run.parentId ?? null,
    tags: JSON.stringify(run.tags ?? []),
  };
}

function toSummary(row: Row): RunSummary {
  return {
    id: row.id,
    kind: row.kind as RunKind,
    name: row.name,
    seed: row.seed,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    status: row.status as RunStatus,
    summary: JSON.parse(row.summary) as Record<string, number>,
    parentId: row.parent_id ?? undefined,
    tags: JSON.parse(row.tags) as string[],
  };
}

function fromRow(row: Row): RunRecord {
  return {
    ...toSummary(row),
    config: JSON.parse(row.config ?? 'null') as JsonValue,
    metrics: JSON.parse(row.metrics ?? 'null') as JsonValue,
    journal: row.journal ?? undefined,
  };
}
