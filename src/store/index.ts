export {
  RunHistory,
  defaultHistoryPath,
  type HistoryQuery,
  type MetricComparison,
  type RunHistoryOptions,
} from './run-history.ts';
export type { RunKind, RunRecord, RunStatus, RunSummary } from './run-record.ts';
