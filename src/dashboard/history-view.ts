import type { HistoryQuery, RunHistory, RunSummary } from '../store/index.ts';

/** One headline number of one run, a point of a trend. */
export interface TrendPoint {
  readonly id: string;
  /** When the run started (epoch ms). */
  readonly at: number;
  readonly value: number;
}

/** The headline numbers of the runs of one name, oldest run first. */
export interface HistoryTrend {
  /** Scenario, experiment or campaign name. */
  readonly name: string;
  /** Runs of that name in the view. */
  readonly runs: number;
  /** One line per metric, keyed by metric name in sorted order. */
  readonly metrics: Readonly<Record<string, readonly TrendPoint[]>>;
}

/** What `GET /api/history` answers. */
export interface HistoryView {
  /** False when the dashboard was started without a history. */
  readonly available: boolean;
  /** Most recent first. */
  readonly runs: readonly RunSummary[];
  /** One trend per name, the name with the most recent run first. */
  readonly trends: readonly HistoryTrend[];
}

/** The part of {@link RunHistory} the dashboard reads. */
export type HistoryReader = Pick<RunHistory, 'list'>;

/** The runs matching `query` and their trends, from one query of the history. */
export function historyView(
  history: HistoryReader | undefined,
  query: Pick<HistoryQuery, 'name' | 'limit'> = {},
): HistoryView {
  if (history === undefined) return { available: false, runs: [], trends: [] };
  const runs = history.list(query);
  const byName = new Map<string, RunSummary[]>();
  for (const run of runs) {
    const group = byName.get(run.name);
    if (group === undefined) byName.set(run.name, [run]);
    else group.push(run);
  }
  const trends: HistoryTrend[] = [];
  for (const [name, group] of byName) {
    const oldestFirst = [...group].reverse();
    const keys = [...new Set(oldestFirst.flatMap((run) => Object.keys(run.summary)))].sort();
    const metrics: Record<string, TrendPoint[]> = {};
    for (const key of keys) {
      metrics[key] = oldestFirst.flatMap((run) => {
        const value = run.summary[key];
        return value === undefined ? [] : [{ id: run.id, at: run.startedAt, value }];
      });
    }
    trends.push({ name, runs: group.length, metrics });
  }
  return { available: true, runs, trends };
}
