import { assertInteger, assertOneOf, writeFileAtomic } from '../core/index.ts';
import { issuesOf, type ExperimentResultInput } from './experiment-result.ts';
import {
  renderHtml,
  renderMarkdown,
  type Block,
  type ListItem,
  type MatrixChart,
} from './report-document.ts';
import { basis, duration, percent, plural } from './report-format.ts';

/** The category of a failure mode (its ID prefix: TF-, AF-, OF-, RF-, EF-). */
export type FailureModeCategoryInput = 'tool' | 'ai' | 'orchestration' | 'resource' | 'external';

/**
 * One failure mode as the user wrote it in the catalog file (the experiments layer's
 * `loadFailureModes` returns entries of this shape).
 */
export interface FailureModeInput {
  /** `TF-001`, `AF-002`, ... */
  readonly id: string;
  readonly category: FailureModeCategoryInput;
  readonly title: string;
  readonly description: string;
  /** 1 (rare) to 5 (almost certain). */
  readonly likelihood: number;
  /** 1 (negligible) to 5 (severe). */
  readonly impact: number;
  /** How the failure is noticed. */
  readonly detection: string;
  /** How the system is meant to handle it. */
  readonly handling?: string | undefined;
  readonly symptoms: readonly string[];
  /** Which results tell how it is handled: by experiment id, scenario name or fault kind. */
  readonly matches: {
    readonly experiments: readonly string[];
    readonly scenarios: readonly string[];
    readonly faultKinds: readonly string[];
  };
}

/** What the catalog is built from. */
export interface FailureModeCatalogInput {
  /** @default 'Failure-mode catalog' */
  readonly title?: string | undefined;
  /** The system the catalog describes. */
  readonly system?: string | undefined;
  readonly failureModes: readonly FailureModeInput[];
  /** Experiment and scenario results; each entry is filled from the ones it matches. */
  readonly results: readonly ExperimentResultInput[];
}

/**
 * How a failure mode is handled, from the results that match it: `handled` (every judged result
 * confirmed its hypothesis), `partially-handled` (some did), `not-handled` (none did),
 * `inconclusive` (results, none judged), `untested` (no result matches).
 */
export type HandlingStatus =
  'handled' | 'partially-handled' | 'not-handled' | 'inconclusive' | 'untested';

/** A result that matched a failure mode, and why. */
export interface MatchedResult {
  readonly id: string;
  readonly title: string;
  /** `experiment`, `scenario` or `fault kind <kind>`. */
  readonly matchedBy: string;
  readonly confirmed: boolean | null;
  /** One line: the verdict and the measured figures with n and seed. */
  readonly summary: string;
}

/** A catalog entry with what faultline measured. */
export interface FailureModeCatalogEntry extends FailureModeInput {
  /** `likelihood × impact`, 1..25. */
  readonly priority: number;
  readonly status: HandlingStatus;
  readonly evidence: readonly MatchedResult[];
}

/** The catalog as data: the JSON form of the report. */
export interface FailureModeCatalog {
  readonly format: 'faultline.failure-mode-catalog';
  readonly version: 1;
  readonly title: string;
  readonly system: string | null;
  /** Sorted by priority (highest first), then id. */
  readonly entries: readonly FailureModeCatalogEntry[];
  /** `matrix[impact - 1][likelihood - 1]`: the ids in each cell of the priority matrix. */
  readonly matrix: readonly (readonly (readonly string[])[])[];
  /** Results given, and how many matched at least one entry. */
  readonly results: { readonly total: number; readonly matched: number };
}

/** Options of the failure-mode catalog report. */
export interface FailureModeCatalogOptions {
  /**
   * Entries of at least this priority that are not handled are flagged in the summary.
   * @default 12
   */
  readonly highPriority?: number;
}

/** Options of {@link writeFailureModeCatalog}. */
export interface WriteFailureModeCatalogOptions extends FailureModeCatalogOptions {
  /**
   * The file format.
   * @default by extension: `.html` / `.htm` → html, `.json` → json, else markdown
   */
  readonly format?: 'markdown' | 'html' | 'json';
}

const owner = 'failure-mode catalog';
const likelihoodWords = ['rare', 'unlikely', 'possible', 'likely', 'almost certain'];
const impactWords = ['negligible', 'minor', 'moderate', 'major', 'severe'];

const statusText: Readonly<Record<HandlingStatus, string>> = {
  handled: '✅ handled',
  'partially-handled': '⚠️ partially handled',
  'not-handled': '❌ not handled',
  inconclusive: '❔ inconclusive',
  untested: '➖ untested',
};

function matchOf(mode: FailureModeInput, result: ExperimentResultInput): string | undefined {
  if (mode.matches.experiments.includes(result.id)) return 'experiment';
  if (result.scenario !== undefined && mode.matches.scenarios.includes(result.scenario))
    return 'scenario';
  const kind = (result.faultKinds ?? []).find((k) => mode.matches.faultKinds.includes(k));
  return kind === undefined ? undefined : `fault kind ${kind}`;
}

/** The verdict and the measured figures of a result, in one line with n and seed. */
function summarise(result: ExperimentResultInput): string {
  const verdict =
    result.hypothesisConfirmed === true
      ? 'hypothesis confirmed'
      : result.hypothesisConfirmed === false
        ? 'hypothesis not confirmed'
        : `not judged (${result.status})`;
  const figures: string[] = [];
  const f = result.figures;
  if (f !== undefined) {
    figures.push(`success rate ${percent(f.runs.successRate)}`);
    if (f.failures.total > 0) figures.push(`recovery rate ${percent(f.failures.recoveryRate)}`);
    if (f.detectionMs.n > 0) figures.push(`detection p95 ${duration(f.detectionMs.p95)}`);
    if (f.mttrMs.n > 0) figures.push(`MTTR-A p95 ${duration(f.mttrMs.p95)}`);
    if (f.runs.crashed > 0) figures.push(plural(f.runs.crashed, 'crash', 'crashes'));
  }
  const issues =
    result.hypothesisConfirmed === false ? issuesOf(result).map((i) => i.description) : [];
  const detail = [figures.join(', '), ...issues].filter((part) => part !== '').join('; ');
  return `${verdict}${detail === '' ? '' : ` — ${detail}`} (${basis(result.runs, 'run', result.seed)})`;
}

function statusOf(evidence: readonly MatchedResult[]): HandlingStatus {
  if (evidence.length === 0) return 'untested';
  const judged = evidence.filter((e) => e.confirmed !== null);
  if (judged.length === 0) return 'inconclusive';
  const confirmed = judged.filter((e) => e.confirmed === true).length;
  if (confirmed === judged.length) return 'handled';
  return confirmed === 0 ? 'not-handled' : 'partially-handled';
}

/**
 * Builds the catalog: fills each failure mode's current handling from the results that match it
 * (by experiment id, scenario name or fault kind), scores it (likelihood × impact), sorts by
 * priority and places it in the priority matrix.
 */
export function buildFailureModeCatalog(input: FailureModeCatalogInput): FailureModeCatalog {
  const matched = new Set<string>();
  const entries = input.failureModes.map((mode): FailureModeCatalogEntry => {
    const evidence: MatchedResult[] = [];
    for (const result of input.results) {
      const by = matchOf(mode, result);
      if (by === undefined) continue;
      matched.add(`${result.id}\u0000${result.seed}`);
      evidence.push({
        id: result.id,
        title: result.title,
        matchedBy: by,
        confirmed: result.hypothesisConfirmed,
        summary: summarise(result),
      });
    }
    return {
      ...mode,
      priority: mode.likelihood * mode.impact,
      status: statusOf(evidence),
      evidence,
    };
  });
  entries.sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const matrix = Array.from({ length: 5 }, () => Array.from({ length: 5 }, (): string[] => []));
  for (const entry of entries) matrix[entry.impact - 1]?.[entry.likelihood - 1]?.push(entry.id);
  for (const row of matrix) for (const ids of row) ids.sort();
  return {
    format: 'faultline.failure-mode-catalog',
    version: 1,
    title: input.title ?? 'Failure-mode catalog',
    system: input.system ?? null,
    entries,
    matrix,
    results: { total: input.results.length, matched: matched.size },
  };
}

function scale(value: number, words: readonly string[]): string {
  return `${String(value)} ${words[value - 1] ?? ''}`.trim();
}

function blocksOf(catalog: FailureModeCatalog, options: FailureModeCatalogOptions): Block[] {
  const highPriority = assertInteger(owner, 'highPriority', options.highPriority ?? 12, 1);
  const blocks: Block[] = [{ kind: 'heading', level: 1, text: catalog.title }];
  const tested = catalog.entries.filter((e) => e.status !== 'untested').length;
  const system = catalog.system === null ? '' : `System: ${catalog.system}. `;
  blocks.push({
    kind: 'paragraph',
    text: `${system}${plural(catalog.entries.length, 'failure mode')}; ${String(tested)} tested by ${String(catalog.results.matched)} of ${plural(catalog.results.total, 'result')} (experiments and scenarios). Priority = likelihood × impact (1–25).`,
  });
  const counts = (
    ['handled', 'partially-handled', 'not-handled', 'inconclusive', 'untested'] as const
  )
    .map((s) => [s, catalog.entries.filter((e) => e.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${statusText[s]}: ${String(n)}`);
  const open = catalog.entries.filter((e) => e.priority >= highPriority && e.status !== 'handled');
  blocks.push({
    kind: 'list',
    items: [
      counts.join(' · '),
      open.length === 0
        ? `Every failure mode of priority ≥ ${String(highPriority)} is handled.`
        : `Priority ≥ ${String(highPriority)} and not shown to be handled: ${open.map((e) => `${e.id} (${String(e.priority)}, ${statusText[e.status].replace(/^\S+ /, '')})`).join(', ')}.`,
    ],
  });

  const chart: MatrixChart = {
    type: 'matrix',
    id: 'priority-matrix',
    title: 'Priority matrix (likelihood × impact)',
    cells: catalog.matrix,
    xLabels: likelihoodWords.map((w, i) => `${String(i + 1)} ${w}`),
    yLabels: impactWords.map((w, i) => `${String(i + 1)} ${w}`),
    note: `${plural(catalog.entries.length, 'failure mode')}; likelihood and impact as rated in the catalog file.`,
  };
  blocks.push({ kind: 'heading', level: 2, text: 'Priority matrix' }, { kind: 'chart', chart });
  blocks.push({
    kind: 'table',
    headers: ['Impact / Likelihood', ...likelihoodWords.map((w, i) => `${String(i + 1)} ${w}`)],
    align: ['left', 'center', 'center', 'center', 'center', 'center'],
    rows: [5, 4, 3, 2, 1].map((impact) => [
      `${String(impact)} ${impactWords[impact - 1] ?? ''}`,
      ...[1, 2, 3, 4, 5].map((likelihood) =>
        (catalog.matrix[impact - 1]?.[likelihood - 1] ?? []).join(', '),
      ),
    ]),
  });

  blocks.push({ kind: 'heading', level: 2, text: 'Failure modes by priority' });
  blocks.push({
    kind: 'table',
    headers: [
      'Priority',
      'ID',
      'Failure mode',
      'Category',
      'Likelihood',
      'Impact',
      'Current handling',
    ],
    align: ['right', 'left', 'left', 'left', 'left', 'left', 'left'],
    rows: catalog.entries.map((e) => [
      String(e.priority),
      e.id,
      e.title,
      e.category,
      scale(e.likelihood, likelihoodWords),
      scale(e.impact, impactWords),
      e.evidence.length === 0
        ? statusText[e.status]
        : `${statusText[e.status]} (${plural(e.evidence.length, 'result')})`,
    ]),
  });

  for (const e of catalog.entries) {
    blocks.push({ kind: 'heading', level: 3, text: `${e.id} ${e.title}`, id: e.id.toLowerCase() });
    const measured = `**Current handling (measured):** ${statusText[e.status]}${e.evidence.length === 0 ? ' — no experiment or scenario matches this failure mode yet' : ''}`;
    const items: ListItem[] = [
      `**Category:** ${e.category} · **Likelihood:** ${scale(e.likelihood, likelihoodWords)} · **Impact:** ${scale(e.impact, impactWords)} · **Priority:** ${String(e.priority)}`,
      `**Description:** ${e.description}`,
      `**Detection:** ${e.detection}`,
      `**Handling (designed):** ${e.handling ?? 'none recorded'}`,
      e.evidence.length === 0
        ? measured
        : {
            text: measured,
            items: e.evidence.map((m) => `\`${m.id}\` (${m.matchedBy}): ${m.summary}`),
          },
    ];
    if (e.symptoms.length > 0) items.push(`**Symptoms:** ${e.symptoms.join('; ')}`);
    blocks.push({ kind: 'list', items });
  }
  return blocks;
}

/**
 * Renders the failure-mode catalog as Markdown: a summary, the priority matrix, the entries by
 * priority with their current handling, then each entry (description, detection, designed
 * handling, what the matching results measured with n and seed, symptoms).
 *
 * @example
 * ```ts
 * const file = await loadFailureModes('failure-modes.yaml'); // from faultline's experiments layer
 * const md = renderFailureModeCatalogMarkdown({ ...file, results });
 * ```
 */
export function renderFailureModeCatalogMarkdown(
  input: FailureModeCatalogInput,
  options: FailureModeCatalogOptions = {},
): string {
  return renderMarkdown(blocksOf(buildFailureModeCatalog(input), options));
}

/**
 * Renders the failure-mode catalog as one self-contained HTML page (inline styles, the priority
 * matrix as inline SVG, the catalog's data as embedded JSON); it opens offline.
 */
export function renderFailureModeCatalogHtml(
  input: FailureModeCatalogInput,
  options: FailureModeCatalogOptions = {},
): string {
  const catalog = buildFailureModeCatalog(input);
  const blocks = blocksOf(catalog, options);
  const charts = blocks.flatMap((b) => (b.kind === 'chart' ? [b.chart] : []));
  return renderHtml(catalog.title, blocks, { catalog, charts });
}

function formatOf(
  path: string,
  format: WriteFailureModeCatalogOptions['format'],
): 'markdown' | 'html' | 'json' {
  if (format !== undefined)
    return assertOneOf(owner, 'format', format, ['markdown', 'html', 'json']);
  const lower = path.toLowerCase();
  if (lower.endsWith('.html') || lower.endsWith('.htm')) return 'html';
  return lower.endsWith('.json') ? 'json' : 'markdown';
}

/**
 * Writes the failure-mode catalog to `path` atomically (readers see the old file or the whole
 * new one), as Markdown, HTML or JSON.
 */
export async function writeFailureModeCatalog(
  path: string,
  input: FailureModeCatalogInput,
  options: WriteFailureModeCatalogOptions = {},
): Promise<void> {
  const format = formatOf(path, options.format);
  const text =
    format === 'html'
      ? renderFailureModeCatalogHtml(input, options)
      : format === 'json'
        ? `${JSON.stringify(buildFailureModeCatalog(input), null, 2)}\n`
        : renderFailureModeCatalogMarkdown(input, options);
  await writeFileAtomic(path, text);
}
