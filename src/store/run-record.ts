import type { JsonValue } from '../core/index.ts';

/** What kind of thing a history entry records. */
export type RunKind = 'run' | 'campaign' | 'experiment';

/** How a run ended. */
export type RunStatus = 'passed' | 'failed' | 'aborted' | 'error';

/** One run, campaign or experiment as stored in the history. */
export interface RunRecord {
  /** Unique id, e.g. `campaign-2026-11-25T19-30-00Z-7f3a`. */
  readonly id: string;
  readonly kind: RunKind;
  /** Scenario, experiment or campaign name; runs of the same name form a trend. */
  readonly name: string;
  /** The seed that replays it. */
  readonly seed: string;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  /** Epoch milliseconds. */
  readonly finishedAt: number;
  readonly status: RunStatus;
  /**
   * Headline numbers (success rate, recovery rate, MTTR-A percentiles, …) that `history` lists,
   * compares and trends.
   */
  readonly summary: Readonly<Record<string, number>>;
  /** The configuration it ran with. */
  readonly config: JsonValue;
  /** Full metrics. */
  readonly metrics: JsonValue;
  /** The journal (JSON lines or a JSON value). */
  readonly journal?: string | undefined;
  /** The campaign or experiment this run belongs to. */
  readonly parentId?: string | undefined;
  readonly tags?: readonly string[] | undefined;
}

/** A history entry without its bulky parts (config, metrics, journal). */
export type RunSummary = Omit<RunRecord, 'config' | 'metrics' | 'journal'>;
