import {
  assertInteger,
  assertOneOf,
  assertPositiveNumber,
  assertProbability,
  assertRecord,
  writeFileAtomic,
} from '../core/index.ts';
import type { MetricsFigures, MetricsSummary } from '../metrics/index.ts';
import { criterionLabel, issuesOf, type ExperimentResultInput } from './experiment-result.ts';
import { buildFailureModeCatalog, type FailureModeInput } from './failure-mode-catalog.ts';
import { renderHtml, renderMarkdown, type BarChart, type Block } from './report-document.ts';
import { basis, duration, num, percent, plural } from './report-format.ts';

/** A configured circuit breaker. Its state and trips come from the metrics (by `name`). */
export interface BreakerPatternInput {
  /** The breaker's policy name (the `source` of its events). */
  readonly name: string;
  /** What it guards, e.g. `upload-image tool`. */
  readonly protects: string;
  /** When it opens, in words, e.g. `5 consecutive failures`. */
  readonly threshold: string;
  /** How long it stays open before letting a probe through. */
  readonly resetTimeoutMs: number;
  /** The fallback that serves while it is open, by name. */
  readonly fallback?: string | undefined;
}

/** A configured bulkhead. Its rejections come from the metrics (by `name`). */
export interface BulkheadPatternInput {
  readonly name: string;
  /** What it isolates, e.g. `marketing agent`. */
  readonly protects: string;
  readonly maxConcurrent: number;
  /** Calls allowed to wait for a slot. */
  readonly maxQueue: number;
}

/** A configured fallback. Its uses come from the metrics (by `name`). */
export interface FallbackPatternInput {
  readonly name: string;
  /** What it stands in for, e.g. `product description (LLM)`. */
  readonly for: string;
  /** What it serves instead, e.g. `the template description`. */
  readonly serves: string;
}

/** A configured retry policy. Its retries and give-ups come from the metrics (by `name`). */
export interface RetryPatternInput {
  readonly name: string;
  readonly for: string;
  readonly maxAttempts: number;
  /** The backoff in words, e.g. `exponential from 200 ms, full jitter`. */
  readonly backoff: string;
}

/** A configured timeout. Its expiries come from the metrics (by `name`). */
export interface TimeoutPatternInput {
  readonly name: string;
  readonly for: string;
  readonly ms: number;
}

/** The self-healing supervisor's configuration. Its figures come from the metrics. */
export interface SelfHealingInput {
  /** Every agent of the system. */
  readonly agents: readonly string[];
  /** The agents the supervisor watches. */
  readonly supervised: readonly string[];
  /** Success rate (0..1) below which it heals. */
  readonly threshold: number;
  /** Failed healings before it escalates. */
  readonly maxHealingAttempts: number;
}

/** The resilience patterns configured in the system. */
export interface ReliabilityPatternsInput {
  readonly breakers?: readonly BreakerPatternInput[] | undefined;
  readonly bulkheads?: readonly BulkheadPatternInput[] | undefined;
  readonly fallbacks?: readonly FallbackPatternInput[] | undefined;
  readonly retries?: readonly RetryPatternInput[] | undefined;
  readonly timeouts?: readonly TimeoutPatternInput[] | undefined;
  readonly selfHealing?: SelfHealingInput | undefined;
}

/** A run of the history, as one side of a comparison (a stored `RunSummary` fits). */
export interface RunRefInput {
  readonly id: string;
  readonly seed: string;
  /** Workflow runs it made, when known. */
  readonly runs?: number | undefined;
}

/** One headline number of two runs side by side (the run history's `compare` rows). */
export interface MetricComparisonInput {
  readonly metric: string;
  readonly before: number | undefined;
  readonly after: number | undefined;
  readonly delta: number | undefined;
}

/** A before/after comparison of two runs from the history. */
export interface RunComparisonInput {
  readonly before: RunRefInput;
  readonly after: RunRefInput;
  readonly metrics: readonly MetricComparisonInput[];
}

/** A risk to list, beyond the ones the report finds itself. */
export interface RiskInput {
  readonly risk: string;
  readonly severity: 'high' | 'medium' | 'low';
  readonly mitigation?: string | undefined;
}

/** What the reliability report is built from. */
export interface ReliabilityReportInput {
  /** The system, e.g. `ecommerce`. */
  readonly system: string;
  /** The seed of the campaign the metrics come from. @default `metrics.seed` */
  readonly seed?: string | undefined;
  /** The campaign's metrics: every figure's n comes from here. */
  readonly metrics: MetricsSummary;
  readonly experiments: readonly ExperimentResultInput[];
  readonly patterns?: ReliabilityPatternsInput | undefined;
  readonly comparison?: RunComparisonInput | undefined;
  /** The failure-mode catalog: high-priority modes not shown to be handled become risks. */
  readonly failureModes?: readonly FailureModeInput[] | undefined;
  readonly risks?: readonly RiskInput[] | undefined;
  /** Checklist items to add to the generated ones. */
  readonly checklist?: readonly { readonly item: string; readonly done: boolean }[] | undefined;
  /** When the report was made, as it should be printed (reports read no clock). */
  readonly generatedAt?: string | undefined;
}

/** The reliability targets, each with ✓/✗ in the report. */
export interface ReliabilityTargets {
  /** @default 0.95 (success rate > 95%) */
  readonly successRate?: number;
  /** @default 86_400_000 (MTBF > 24 h) */
  readonly mtbfMs?: number;
  /** @default 300_000 (MTTR < 5 min) */
  readonly mttrMs?: number;
  /** @default 0.05 (error rate < 5%) */
  readonly errorRate?: number;
}

/** Options of the reliability report. */
export interface ReliabilityReportOptions {
  /** @default `Reliability engineering report: <system>` */
  readonly title?: string;
  /** @default { successRate: 0.95, mtbfMs: 86_400_000, mttrMs: 300_000, errorRate: 0.05 } */
  readonly targets?: ReliabilityTargets;
  /**
   * Failure modes of at least this priority (likelihood × impact) not shown to be handled are
   * listed as risks.
   * @default 12
   */
  readonly highPriority?: number;
}

/** Options of {@link writeReliabilityReport}. */
export interface WriteReliabilityReportOptions extends ReliabilityReportOptions {
  /**
   * The file format.
   * @default by extension: `.html` / `.htm` → html, `.json` → json, else markdown
   */
  readonly format?: 'markdown' | 'html' | 'json';
}

/** One reliability target and whether the campaign met it. */
export interface TargetResult {
  readonly metric: string;
  readonly value: number | null;
  /** The value as printed. */
  readonly shown: string;
  /** E.g. `> 95%`. */
  readonly target: string;
  /** `null` when not measurable (e.g. MTBF without failures). */
  readonly met: boolean | null;
  /** The n and seed behind the value. */
  readonly basis: string;
}

/** A risk the report lists, with where it came from. */
export interface RiskRow {
  readonly risk: string;
  readonly severity: 'high' | 'medium' | 'low';
  /** `target`, `experiment <id>`, `breaker <name>`, `failure mode <id>` or `reported`. */
  readonly source: string;
  readonly mitigation: string;
}

/** The reliability report as data: the JSON form of the report. */
export interface ReliabilityReport {
  readonly format: 'faultline.reliability-report';
  readonly version: 1;
  readonly title: string;
  readonly system: string;
  readonly seed: string;
  /** Workflow runs behind the campaign figures. */
  readonly runs: number;
  readonly generatedAt: string | null;
  readonly targets: readonly TargetResult[];
  readonly experiments: readonly {
    readonly id: string;
    readonly title: string;
    readonly confirmed: boolean | null;
    readonly issues: number;
    readonly fixed: number;
  }[];
  readonly checklist: readonly { readonly item: string; readonly done: boolean }[];
  readonly risks: readonly RiskRow[];
}

interface Resolved {
  readonly title: string;
  readonly successRate: number;
  readonly mtbfMs: number;
  readonly mttrMs: number;
  readonly errorRate: number;
  readonly highPriority: number;
}

const owner = 'reliability report';

function resolve(input: ReliabilityReportInput, options: ReliabilityReportOptions): Resolved {
  const targets =
    options.targets === undefined
      ? {}
      : (assertRecord(owner, 'targets', options.targets) as ReliabilityTargets);
  return {
    title: options.title ?? `Reliability engineering report: ${input.system}`,
    successRate: assertProbability(owner, 'targets.successRate', targets.successRate ?? 0.95),
    mtbfMs: assertPositiveNumber(owner, 'targets.mtbfMs', targets.mtbfMs ?? 86_400_000),
    mttrMs: assertPositiveNumber(owner, 'targets.mttrMs', targets.mttrMs ?? 300_000),
    errorRate: assertProbability(owner, 'targets.errorRate', targets.errorRate ?? 0.05),
    highPriority: assertInteger(owner, 'highPriority', options.highPriority ?? 12, 1),
  };
}

const tick = (met: boolean | null): string => (met === null ? '–' : met ? '✓' : '✗');

function targetsOf(c: MetricsFigures, seed: string, o: Resolved): TargetResult[] {
  const runs = c.runs.total;
  const errorRate = runs === 0 ? null : c.runs.failed / runs;
  const mtbf = c.mtbfMs;
  return [
    {
      metric: 'Success rate',
      value: c.runs.successRate,
      shown: percent(c.runs.successRate),
      target: `> ${percent(o.successRate)}`,
      met: c.runs.successRate === null ? null : c.runs.successRate > o.successRate,
      basis: basis(runs, 'run', seed),
    },
    {
      metric: 'MTBF',
      value: mtbf,
      shown:
        mtbf === null ? `no failures in ${duration(c.availability.observedMs)}` : duration(mtbf),
      target: `> ${duration(o.mtbfMs)}`,
      met: mtbf === null ? null : mtbf > o.mtbfMs,
      basis: `${basis(c.failures.total, 'failure', seed)}, over ${duration(c.availability.uptimeMs)} of uptime`,
    },
    {
      metric: 'MTTR-A (mean)',
      value: c.mttrMs.mean,
      shown:
        c.mttrMs.mean === null ? '–' : `${duration(c.mttrMs.mean)} (p95 ${duration(c.mttrMs.p95)})`,
      target: `< ${duration(o.mttrMs)}`,
      met: c.mttrMs.mean === null ? null : c.mttrMs.mean < o.mttrMs,
      basis: basis(c.mttrMs.n, 'recovery', seed).replace('recoverys', 'recoveries'),
    },
    {
      metric: 'Error rate',
      value: errorRate,
      shown: percent(errorRate),
      target: `< ${percent(o.errorRate)}`,
      met: errorRate === null ? null : errorRate < o.errorRate,
      basis: basis(runs, 'run', seed),
    },
  ];
}

function counter(summary: MetricsSummary, source: string, key: string): number {
  return summary.policies.bySource[source]?.[key] ?? 0;
}

/** Which way is better for a history metric, guessed from its name. */
function direction(metric: string): 'up' | 'down' | undefined {
  if (/error|fail|crash|escalat|downtime|falsePositive|dropped|open/i.test(metric)) return 'down';
  if (/Ms$|Ms[A-Z_]|mttr|mtbf|latency|duration/i.test(metric))
    return /mtbf/i.test(metric) ? 'up' : 'down';
  if (/rate|availability|success|recover|complet|accuracy/i.test(metric)) return 'up';
  return undefined;
}

function formatMetric(metric: string, value: number | undefined): string {
  if (value === undefined) return '–';
  if (/rate|availability|accuracy/i.test(metric) && value >= 0 && value <= 1) return percent(value);
  if (/Ms$|Ms[A-Z_]|Ms\b/.test(metric)) return duration(value);
  return num(value);
}

function changeOf(row: MetricComparisonInput): { text: string; verdict: string } {
  if (row.delta === undefined) return { text: '–', verdict: '–' };
  const sign = row.delta > 0 ? '+' : row.delta < 0 ? '−' : '±';
  const magnitude = Math.abs(row.delta);
  const text =
    /rate|availability|accuracy/i.test(row.metric) && Math.abs(row.before ?? 2) <= 1
      ? `${sign}${num(magnitude * 100, 1)} pp`
      : /Ms$|Ms[A-Z_]/.test(row.metric)
        ? `${sign}${duration(magnitude)}`
        : `${sign}${num(magnitude)}`;
  const way = direction(row.metric);
  if (row.delta === 0) return { text, verdict: 'unchanged' };
  if (way === undefined) return { text, verdict: '–' };
  const better = row.delta > 0 === (way === 'up');
  return { text, verdict: better ? 'better ✓' : 'worse ✗' };
}

function fixedCount(result: ExperimentResultInput): number {
  return issuesOf(result).filter((i) => i.fixed === true).length;
}

function confirmedText(result: ExperimentResultInput): string {
  if (result.hypothesisConfirmed === null) return `– (${result.status})`;
  return result.hypothesisConfirmed ? '✓ yes' : '✗ no';
}

function checklistOf(
  input: ReliabilityReportInput,
  targets: readonly TargetResult[],
  seed: string,
): { item: string; done: boolean }[] {
  const c = input.metrics.campaign;
  const p = input.patterns ?? {};
  const experiments = input.experiments;
  const confirmed = experiments.filter((e) => e.hypothesisConfirmed === true).length;
  const corruption = experiments.flatMap((e) =>
    (e.criteria ?? []).filter((k) => k.criterion === 'corrupts-no-data' && k.met !== null),
  );
  const healing = p.selfHealing;
  const breakerStates = (p.breakers ?? []).map((b) => ({
    name: b.name,
    state: input.metrics.breakers[b.name]?.state ?? 'closed',
  }));
  const open = breakerStates.filter((b) => b.state !== 'closed');
  const names = (list: readonly { name: string }[] | undefined): string =>
    (list ?? []).map((x) => `\`${x.name}\``).join(', ');
  const items: { item: string; done: boolean }[] = [
    {
      item: `Every experiment confirmed its hypothesis (${String(confirmed)} of ${String(experiments.length)})`,
      done: experiments.length > 0 && confirmed === experiments.length,
    },
    {
      item: `No run crashed (${plural(c.runs.crashed, 'crash', 'crashes')}; ${basis(c.runs.total, 'run', seed)})`,
      done: c.runs.total > 0 && c.runs.crashed === 0,
    },
    ...targets.map((t) => ({
      item: `${t.metric} ${t.target}: ${t.shown} (${t.basis})`,
      done: t.met === true,
    })),
    {
      item: `Error budget not exhausted (SLO ${percent(c.errorBudget.sloTarget)} success: ${percent(c.errorBudget.consumed)} of its budget spent; ${basis(c.errorBudget.requests, 'run', seed)})`,
      done: !c.errorBudget.exhausted,
    },
    {
      item: `No data corrupted in any experiment (${String(corruption.filter((k) => k.met === true).length)} of ${String(corruption.length)} checked)`,
      done: corruption.length > 0 && corruption.every((k) => k.met === true),
    },
    {
      item:
        (p.breakers ?? []).length > 0
          ? `Circuit breakers guard dependencies: ${names(p.breakers)}`
          : 'Circuit breakers guard dependencies: none configured',
      done: (p.breakers ?? []).length > 0,
    },
    {
      item:
        open.length === 0
          ? 'No circuit breaker left open at the end'
          : `No circuit breaker left open at the end: ${open.map((b) => `\`${b.name}\` is ${b.state}`).join(', ')}`,
      done: open.length === 0,
    },
    {
      item:
        (p.retries ?? []).length > 0
          ? `Retries are bounded, with backoff: ${names(p.retries)}`
          : 'Retries are bounded, with backoff: none configured',
      done: (p.retries ?? []).length > 0,
    },
    {
      item:
        (p.timeouts ?? []).length > 0
          ? `Timeouts on model and tool calls: ${names(p.timeouts)}`
          : 'Timeouts on model and tool calls: none configured',
      done: (p.timeouts ?? []).length > 0,
    },
    {
      item:
        (p.bulkheads ?? []).length > 0
          ? `Bulkheads isolate agents: ${names(p.bulkheads)}`
          : 'Bulkheads isolate agents: none configured',
      done: (p.bulkheads ?? []).length > 0,
    },
    {
      item:
        (p.fallbacks ?? []).length > 0
          ? `Fallbacks keep a degraded service: ${names(p.fallbacks)}`
          : 'Fallbacks keep a degraded service: none configured',
      done: (p.fallbacks ?? []).length > 0,
    },
    {
      item:
        healing === undefined
          ? 'Self-healing covers every agent: no supervisor configured'
          : `Self-healing covers every agent (${String(healing.supervised.length)} of ${String(healing.agents.length)})`,
      done: healing !== undefined && healing.agents.every((a) => healing.supervised.includes(a)),
    },
  ];
  for (const extra of input.checklist ?? []) items.push({ item: extra.item, done: extra.done });
  return items;
}

const severityOrder = { high: 0, medium: 1, low: 2 } as const;

function risksOf(
  input: ReliabilityReportInput,
  targets: readonly TargetResult[],
  o: Resolved,
): RiskRow[] {
  const risks: RiskRow[] = [];
  for (const t of targets) {
    if (t.met === false) {
      risks.push({
        risk: `${t.metric} misses its target: ${t.shown}, target ${t.target} (${t.basis})`,
        severity: t.metric === 'MTBF' ? 'medium' : 'high',
        source: 'target',
        mitigation:
          'Find the failures behind it in the experiments above and harden those paths first.',
      });
    }
  }
  for (const e of input.experiments) {
    const open = issuesOf(e).filter((i) => i.fixed !== true);
    if (e.hypothesisConfirmed === false && open.length > 0) {
      risks.push({
        risk: `${e.title}: ${open.map((i) => i.description).join('; ')} (${basis(e.runs, 'run', e.seed)})`,
        severity: 'high',
        source: `experiment ${e.id}`,
        mitigation: `Fix, then rerun \`${e.id}\` with seed ${e.seed} to confirm.`,
      });
    }
  }
  for (const b of input.patterns?.breakers ?? []) {
    const state = input.metrics.breakers[b.name]?.state ?? 'closed';
    if (state !== 'closed') {
      risks.push({
        risk: `Circuit breaker \`${b.name}\` is ${state} at the end of the campaign: ${b.protects} is still failing`,
        severity: 'medium',
        source: `breaker ${b.name}`,
        mitigation: `See the runbook entry for \`${b.name}\`.`,
      });
    }
  }
  if (input.failureModes !== undefined) {
    const catalog = buildFailureModeCatalog({
      failureModes: input.failureModes,
      results: input.experiments,
    });
    for (const entry of catalog.entries) {
      if (entry.priority < o.highPriority || entry.status === 'handled') continue;
      const how = entry.status === 'untested' ? 'untested' : entry.status.replace('-', ' ');
      risks.push({
        risk: `${entry.id} ${entry.title} (priority ${String(entry.priority)}) is ${how}`,
        severity: entry.status === 'not-handled' ? 'high' : 'medium',
        source: `failure mode ${entry.id}`,
        mitigation:
          entry.status === 'untested'
            ? 'Write an experiment for it.'
            : (entry.handling ?? 'Design its handling.'),
      });
    }
  }
  for (const r of input.risks ?? []) {
    risks.push({
      risk: r.risk,
      severity: r.severity,
      source: 'reported',
      mitigation: r.mitigation ?? '–',
    });
  }
  return risks
    .map((r, i) => ({ r, i }))
    .sort((a, b) => severityOrder[a.r.severity] - severityOrder[b.r.severity] || a.i - b.i)
    .map(({ r }) => r);
}

function experimentBlocks(e: ExperimentResultInput): Block[] {
  const blocks: Block[] = [{ kind: 'heading', level: 3, text: e.title, id: `experiment-${e.id}` }];
  const stopped =
    e.killSwitch === undefined
      ? ''
      : ` Kill switch tripped (${e.killSwitch.trigger}): ${e.killSwitch.detail}.`;
  const rollback =
    e.rollback === undefined
      ? ''
      : ` Rollbacks (${e.rollback.strategy}): ${e.rollback.ran ? 'ran' : 'not run'}.`;
  blocks.push({
    kind: 'paragraph',
    text: `\`${e.id}\` · status **${e.status}** · hypothesis ${confirmedText(e).replace(/^[✓✗] /, '')} · ${basis(e.runs, 'run', e.seed)}${e.durationMs === undefined ? '' : ` · ${duration(e.durationMs)}`}.${stopped}${rollback}`,
  });
  blocks.push({ kind: 'paragraph', text: `Hypothesis: ${e.hypothesis}` });
  if ((e.steadyState ?? []).length > 0) {
    blocks.push({
      kind: 'table',
      headers: ['Steady-state probe', 'Tolerance', 'Before', 'After'],
      align: ['left', 'left', 'left', 'left'],
      rows: (e.steadyState ?? []).map((p) => [
        p.name,
        p.tolerance,
        p.before === undefined ? '–' : `${p.before.value} ${tick(p.before.ok)}`,
        p.after === undefined ? '–' : `${p.after.value} ${tick(p.after.ok)}`,
      ]),
    });
  }
  if ((e.criteria ?? []).length > 0) {
    blocks.push({
      kind: 'table',
      headers: ['Success criterion', 'Met', 'Evidence'],
      align: ['left', 'center', 'left'],
      rows: (e.criteria ?? []).map((k) => [
        criterionLabel(k.criterion),
        tick(k.met),
        k.detail ?? '–',
      ]),
    });
  }
  if ((e.expectations ?? []).length > 0) {
    blocks.push({
      kind: 'table',
      headers: ['Expected behaviour', 'Expected', 'Actual', 'Result'],
      align: ['left', 'left', 'left', 'center'],
      rows: (e.expectations ?? []).map((l) => [
        l.label,
        l.expected,
        l.actual,
        l.passed === null ? '–' : l.passed ? 'pass ✓' : 'fail ✗',
      ]),
    });
  }
  const issues = issuesOf(e);
  if (issues.length > 0) {
    blocks.push({
      kind: 'list',
      items: issues.map((i) => `${i.fixed === true ? '[fixed] ' : ''}${i.description}`),
    });
  }
  return blocks;
}

function patternBlocks(input: ReliabilityReportInput, seed: string): Block[] {
  const p = input.patterns ?? {};
  const m = input.metrics;
  const c = m.campaign;
  const campaign = basis(c.runs.total, 'run', seed);
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Reliability patterns in place' }];
  const breakers = p.breakers ?? [];
  blocks.push({ kind: 'heading', level: 3, text: 'Circuit breakers' });
  if (breakers.length === 0) blocks.push({ kind: 'paragraph', text: 'None configured.' });
  else {
    blocks.push({
      kind: 'table',
      headers: [
        'Breaker',
        'Protects',
        'Opens when',
        'Reset timeout',
        'State',
        'Trips',
        'Time open',
        'Basis',
      ],
      align: ['left', 'left', 'left', 'right', 'left', 'right', 'right', 'left'],
      rows: breakers.map((b) => {
        const f = m.breakers[b.name];
        return [
          `\`${b.name}\``,
          b.protects,
          b.threshold,
          duration(b.resetTimeoutMs),
          f?.state ?? 'closed',
          String(f?.trips ?? 0),
          duration(f?.openMs ?? 0),
          campaign,
        ];
      }),
    });
  }
  blocks.push({ kind: 'heading', level: 3, text: 'Self-healing' });
  const healing = p.selfHealing;
  if (healing === undefined) blocks.push({ kind: 'paragraph', text: 'No supervisor configured.' });
  else {
    const unwatched = healing.agents.filter((a) => !healing.supervised.includes(a));
    const coverage =
      healing.agents.length === 0
        ? null
        : healing.supervised.filter((a) => healing.agents.includes(a)).length /
          healing.agents.length;
    blocks.push({
      kind: 'table',
      headers: ['Measure', 'Value', 'Basis'],
      align: ['left', 'left', 'left'],
      rows: [
        [
          'Coverage',
          `${percent(coverage)} (${String(healing.supervised.length)} of ${plural(healing.agents.length, 'agent')}${unwatched.length === 0 ? '' : `; not supervised: ${unwatched.join(', ')}`})`,
          'configuration',
        ],
        [
          'Heals below',
          `${percent(healing.threshold)} success rate; escalates after ${plural(healing.maxHealingAttempts, 'failed healing')}`,
          'configuration',
        ],
        [
          'Healing success rate',
          percent(c.healing.successRate),
          basis(c.healing.attempts, 'healing attempt', seed),
        ],
        ['Healed automatically', String(c.healing.healed), campaign],
        [
          'Mean healing time',
          duration(c.healing.durationMs.mean),
          basis(c.healing.durationMs.n, 'healing', seed),
        ],
        ['Escalations', String(c.healing.escalations), campaign],
      ],
    });
  }
  blocks.push({ kind: 'heading', level: 3, text: 'Bulkheads' });
  const bulkheads = p.bulkheads ?? [];
  if (bulkheads.length === 0) blocks.push({ kind: 'paragraph', text: 'None configured.' });
  else {
    blocks.push({
      kind: 'table',
      headers: ['Bulkhead', 'Isolates', 'Max concurrent', 'Queue', 'Rejections', 'Basis'],
      align: ['left', 'left', 'right', 'right', 'right', 'left'],
      rows: bulkheads.map((b) => [
        `\`${b.name}\``,
        b.protects,
        String(b.maxConcurrent),
        String(b.maxQueue),
        String(counter(m, b.name, 'bulkheadRejected')),
        campaign,
      ]),
    });
  }
  if ((p.retries ?? []).length > 0) {
    blocks.push(
      { kind: 'heading', level: 3, text: 'Retries' },
      {
        kind: 'table',
        headers: ['Retry', 'For', 'Max attempts', 'Backoff', 'Retries made', 'Gave up', 'Basis'],
        align: ['left', 'left', 'right', 'left', 'right', 'right', 'left'],
        rows: (p.retries ?? []).map((r) => [
          `\`${r.name}\``,
          r.for,
          String(r.maxAttempts),
          r.backoff,
          String(counter(m, r.name, 'retry')),
          String(counter(m, r.name, 'retryGiveUp')),
          campaign,
        ]),
      },
    );
  }
  if ((p.timeouts ?? []).length > 0) {
    blocks.push(
      { kind: 'heading', level: 3, text: 'Timeouts' },
      {
        kind: 'table',
        headers: ['Timeout', 'For', 'Limit', 'Expired', 'Basis'],
        align: ['left', 'left', 'right', 'right', 'left'],
        rows: (p.timeouts ?? []).map((t) => [
          `\`${t.name}\``,
          t.for,
          duration(t.ms),
          String(counter(m, t.name, 'timeout')),
          campaign,
        ]),
      },
    );
  }
  if ((p.fallbacks ?? []).length > 0) {
    blocks.push(
      { kind: 'heading', level: 3, text: 'Fallbacks' },
      {
        kind: 'table',
        headers: ['Fallback', 'For', 'Serves', 'Times used', 'Basis'],
        align: ['left', 'left', 'left', 'right', 'left'],
        rows: (p.fallbacks ?? []).map((f) => [
          `\`${f.name}\``,
          f.for,
          f.serves,
          String(counter(m, f.name, 'fallback')),
          campaign,
        ]),
      },
    );
  }
  return blocks;
}

function runbookBlocks(input: ReliabilityReportInput, seed: string): Block[] {
  const p = input.patterns ?? {};
  const m = input.metrics;
  const campaign = basis(m.campaign.runs.total, 'run', seed);
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Runbook' }];
  const fallbacks = new Map((p.fallbacks ?? []).map((f) => [f.name, f]));
  const breakers = p.breakers ?? [];
  if (breakers.length === 0 && fallbacks.size === 0 && p.selfHealing === undefined) {
    blocks.push({
      kind: 'paragraph',
      text: 'No circuit breakers, fallbacks or supervisor are configured, so there is nothing to operate yet: add them (see the checklist).',
    });
    return blocks;
  }
  blocks.push({
    kind: 'paragraph',
    text: 'Generated from the configured circuit breakers, fallbacks and supervisor. Measured figures are from this campaign.',
  });
  for (const b of breakers) {
    const f = m.breakers[b.name];
    const fallback = b.fallback === undefined ? undefined : fallbacks.get(b.fallback);
    blocks.push({
      kind: 'heading',
      level: 3,
      text: `Circuit breaker \`${b.name}\` opened`,
      id: `runbook-${b.name}`,
    });
    blocks.push({
      kind: 'list',
      items: [
        `**Protects:** ${b.protects}. **Opens when:** ${b.threshold}. **Reset timeout:** ${duration(b.resetTimeoutMs)}.`,
        `**What callers see:** calls fail fast with \`CircuitOpenError\` (its \`retryAfterMs\` says when to try again)${fallback === undefined ? '' : `; fallback \`${fallback.name}\` serves ${fallback.serves} instead`}.`,
        `**Measured:** ${plural(f?.trips ?? 0, 'trip')}, open for ${duration(f?.openMs ?? 0)} in total, ${f?.state ?? 'closed'} at the end (${campaign}).`,
      ],
    });
    blocks.push({
      kind: 'list',
      ordered: true,
      items: [
        `Check ${b.protects}: its errors and latency, and whether it is down or overloaded.`,
        `Wait for the reset timeout (${duration(b.resetTimeoutMs)}): the breaker half-opens and lets a probe call through, and closes when the probe succeeds.`,
        `If it keeps re-opening, take load off ${b.protects} or fail over; do not force the breaker closed while ${b.protects} still fails.`,
        `When ${b.protects} is healthy again, confirm \`${b.name}\` is closed (\`faultline dashboard\` shows breaker states).`,
      ],
    });
  }
  for (const f of fallbacks.values()) {
    const linked = breakers.filter((b) => b.fallback === f.name).map((b) => `\`${b.name}\``);
    blocks.push({
      kind: 'heading',
      level: 3,
      text: `Fallback \`${f.name}\` serving`,
      id: `runbook-${f.name}`,
    });
    blocks.push({
      kind: 'list',
      items: [
        `**Stands in for:** ${f.for}. **Serves:** ${f.serves}.${linked.length === 0 ? '' : ` Also serves while ${linked.join(', ')} ${linked.length === 1 ? 'is' : 'are'} open.`}`,
        `**Measured:** used ${plural(counter(m, f.name, 'fallback'), 'time')} (${campaign}).`,
      ],
    });
    blocks.push({
      kind: 'list',
      ordered: true,
      items: [
        `Expect degraded output while it serves (${f.serves}); tell the owners if it lasts.`,
        `Find why ${f.for} fails: its breaker, timeouts and errors.`,
        `Once ${f.for} works again, check that new results no longer come from the fallback.`,
      ],
    });
  }
  const healing = p.selfHealing;
  if (healing !== undefined) {
    blocks.push({
      kind: 'heading',
      level: 3,
      text: 'Supervisor escalated',
      id: 'runbook-supervisor',
    });
    blocks.push({
      kind: 'list',
      items: [
        `**Watches:** ${healing.supervised.join(', ')}. **Heals below:** ${percent(healing.threshold)} success rate. **Escalates after:** ${plural(healing.maxHealingAttempts, 'failed healing')}.`,
        `**Measured:** ${plural(m.campaign.healing.escalations, 'escalation')}, healing success rate ${percent(m.campaign.healing.successRate)} (${basis(m.campaign.healing.attempts, 'healing attempt', seed)}).`,
      ],
    });
    blocks.push({
      kind: 'list',
      ordered: true,
      items: [
        'Read the escalation event: it names the agent and the recovery actions that failed.',
        "Check the agent's dependencies (its breakers above) before restarting it by hand.",
        'Restart the agent from its last checkpoint; idempotency keys keep side effects from being repeated.',
      ],
    });
  }
  return blocks;
}

function chartsOf(input: ReliabilityReportInput, seed: string, o: Resolved): BarChart[] {
  const m = input.metrics;
  const charts: BarChart[] = [];
  const scenarios = Object.entries(m.scenarios);
  if (scenarios.length > 0) {
    charts.push({
      type: 'bar',
      id: 'success-by-scenario',
      title: 'Success rate by scenario',
      unit: 'ratio',
      labels: scenarios.map(([name]) => name),
      series: [{ name: 'success rate', values: scenarios.map(([, f]) => f.runs.successRate) }],
      target: { value: o.successRate, label: `target ${percent(o.successRate)}` },
      note: `${scenarios.map(([name, f]) => `${name}: n = ${String(f.runs.total)}`).join(', ')}; seed ${seed}`,
    });
  }
  const measured = input.experiments.filter((e) => e.figures !== undefined);
  if (measured.length > 0) {
    charts.push({
      type: 'bar',
      id: 'success-by-experiment',
      title: 'Success rate by experiment',
      unit: 'ratio',
      labels: measured.map((e) => e.id),
      series: [
        { name: 'success rate', values: measured.map((e) => e.figures?.runs.successRate ?? null) },
      ],
      target: { value: o.successRate, label: `target ${percent(o.successRate)}` },
      note: measured.map((e) => `${e.id}: n = ${String(e.runs)}, seed ${e.seed}`).join('; '),
    });
  }
  const mttr = m.campaign.mttrMs;
  if (mttr.n > 0) {
    charts.push({
      type: 'bar',
      id: 'mttr-percentiles',
      title: 'MTTR-A percentiles',
      unit: 'ms',
      labels: ['p50', 'p90', 'p95', 'p99', 'max'],
      series: [{ name: 'MTTR-A', values: [mttr.p50, mttr.p90, mttr.p95, mttr.p99, mttr.max] }],
      target: { value: o.mttrMs, label: `target < ${duration(o.mttrMs)}` },
      note: `${basis(mttr.n, 'recovery', seed).replace('recoverys', 'recoveries')} (${mttr.method} percentiles); target < ${duration(o.mttrMs)}`,
    });
  }
  const breakers = input.patterns?.breakers ?? [];
  if (breakers.length > 0) {
    charts.push({
      type: 'bar',
      id: 'breaker-trips',
      title: 'Circuit breaker trips',
      unit: 'count',
      labels: breakers.map((b) => b.name),
      series: [{ name: 'trips', values: breakers.map((b) => m.breakers[b.name]?.trips ?? 0) }],
      note: basis(m.campaign.runs.total, 'run', seed),
    });
  }
  const comparison = input.comparison;
  if (comparison !== undefined) {
    const rates = comparison.metrics.filter(
      (r) =>
        /rate|availability/i.test(r.metric) &&
        [r.before, r.after].every((v) => v === undefined || (v >= 0 && v <= 1)),
    );
    if (rates.length > 0) {
      charts.push({
        type: 'bar',
        id: 'before-after',
        title: 'Before / after',
        unit: 'ratio',
        labels: rates.map((r) => r.metric),
        series: [
          { name: `before (${comparison.before.id})`, values: rates.map((r) => r.before ?? null) },
          { name: `after (${comparison.after.id})`, values: rates.map((r) => r.after ?? null) },
        ],
        note: `before: seed ${comparison.before.seed}${comparison.before.runs === undefined ? '' : `, n = ${String(comparison.before.runs)}`}; after: seed ${comparison.after.seed}${comparison.after.runs === undefined ? '' : `, n = ${String(comparison.after.runs)}`}`,
      });
    }
  }
  return charts;
}

function build(
  input: ReliabilityReportInput,
  options: ReliabilityReportOptions,
): { report: ReliabilityReport; blocks: Block[]; charts: BarChart[] } {
  const o = resolve(input, options);
  const seed = input.seed ?? input.metrics.seed ?? 'unknown';
  const c = input.metrics.campaign;
  const targets = targetsOf(c, seed, o);
  const checklist = checklistOf(input, targets, seed);
  const risks = risksOf(input, targets, o);
  const charts = chartsOf(input, seed, o);
  const chart = (id: string): Block[] =>
    charts.filter((x) => x.id === id).map((x) => ({ kind: 'chart', chart: x }));
  const experiments = input.experiments;
  const confirmed = experiments.filter((e) => e.hypothesisConfirmed === true).length;
  const issueCount = experiments.reduce((n, e) => n + issuesOf(e).length, 0);
  const fixed = experiments.reduce((n, e) => n + fixedCount(e), 0);
  const met = targets.filter((t) => t.met === true).length;

  const blocks: Block[] = [{ kind: 'heading', level: 1, text: o.title }];
  blocks.push({
    kind: 'paragraph',
    text: `System \`${input.system}\` · seed \`${seed}\` · n = ${plural(c.runs.total, 'run')}${input.generatedAt === undefined ? '' : ` · generated ${input.generatedAt}`}. Every figure states its sample size (n) and seed; replay with the seed to reproduce it.`,
  });

  blocks.push({ kind: 'heading', level: 2, text: 'Executive summary' });
  const successTarget = targets[0] as TargetResult;
  const summary = [
    `**${String(met)} of ${String(targets.length)} reliability targets met**; ${String(confirmed)} of ${plural(experiments.length, 'experiment')} confirmed ${experiments.length === 1 ? 'its' : 'their'} hypothesis.`,
    `Success rate ${successTarget.shown} against a ${successTarget.target} target, ${plural(c.runs.crashed, 'crash', 'crashes')} (${successTarget.basis}).`,
    `Recovery rate ${percent(c.failures.recoveryRate)} (${basis(c.failures.total, 'failure', seed)}); MTTR-A p95 ${duration(c.mttrMs.p95)} (${basis(c.mttrMs.n, 'recovery', seed).replace('recoverys', 'recoveries')}).`,
    `${plural(issueCount, 'issue')} found, ${String(fixed)} fixed.`,
  ];
  const top = risks[0];
  summary.push(
    top === undefined
      ? 'No open risk found.'
      : `Top remaining risk (${top.severity}): ${top.risk}.`,
  );
  blocks.push({ kind: 'list', items: summary });

  blocks.push({ kind: 'heading', level: 2, text: 'Experiments' });
  if (experiments.length === 0)
    blocks.push({ kind: 'paragraph', text: 'No experiment results were given.' });
  else {
    blocks.push({
      kind: 'table',
      headers: [
        'Experiment',
        'Hypothesis',
        'Status',
        'Confirmed',
        'Issues found',
        'Fixed',
        'n',
        'Seed',
      ],
      align: ['left', 'left', 'left', 'center', 'right', 'right', 'right', 'left'],
      rows: experiments.map((e) => [
        e.title,
        e.hypothesis,
        e.status,
        confirmedText(e),
        String(issuesOf(e).length),
        `${String(fixedCount(e))}/${String(issuesOf(e).length)}`,
        String(e.runs),
        `\`${e.seed}\``,
      ]),
    });
    blocks.push(...chart('success-by-experiment'));
    for (const e of experiments) blocks.push(...experimentBlocks(e));
  }

  blocks.push(...patternBlocks(input, seed), ...chart('breaker-trips'));

  blocks.push({ kind: 'heading', level: 2, text: 'Metrics against targets' });
  blocks.push({
    kind: 'table',
    headers: ['Metric', 'Value', 'Target', 'Met', 'Basis'],
    align: ['left', 'left', 'left', 'center', 'left'],
    rows: targets.map((t) => [t.metric, t.shown, t.target, tick(t.met), t.basis]),
  });
  blocks.push(...chart('success-by-scenario'), ...chart('mttr-percentiles'));

  const comparison = input.comparison;
  blocks.push({ kind: 'heading', level: 2, text: 'Before / after' });
  if (comparison === undefined)
    blocks.push({
      kind: 'paragraph',
      text: 'No earlier run to compare with (see `faultline history`).',
    });
  else {
    const side = (r: RunRefInput): string =>
      `\`${r.id}\` (seed ${r.seed}${r.runs === undefined ? '' : `, n = ${plural(r.runs, 'run')}`})`;
    blocks.push({
      kind: 'paragraph',
      text: `Before: ${side(comparison.before)}. After: ${side(comparison.after)}.`,
    });
    blocks.push({
      kind: 'table',
      headers: ['Metric', 'Before', 'After', 'Change', 'Verdict'],
      align: ['left', 'right', 'right', 'right', 'left'],
      rows: comparison.metrics.map((r) => {
        const change = changeOf(r);
        return [
          r.metric,
          formatMetric(r.metric, r.before),
          formatMetric(r.metric, r.after),
          change.text,
          change.verdict,
        ];
      }),
    });
    blocks.push(...chart('before-after'));
  }

  blocks.push({ kind: 'heading', level: 2, text: 'Hardening checklist' });
  blocks.push({ kind: 'checklist', items: checklist.map((i) => ({ done: i.done, text: i.item })) });

  blocks.push({ kind: 'heading', level: 2, text: 'Remaining risks' });
  if (risks.length === 0) blocks.push({ kind: 'paragraph', text: 'None found.' });
  else {
    blocks.push({
      kind: 'table',
      headers: ['Risk', 'Severity', 'Source', 'Mitigation'],
      align: ['left', 'left', 'left', 'left'],
      rows: risks.map((r) => [r.risk, r.severity, r.source, r.mitigation]),
    });
  }

  blocks.push(...runbookBlocks(input, seed));

  const report: ReliabilityReport = {
    format: 'faultline.reliability-report',
    version: 1,
    title: o.title,
    system: input.system,
    seed,
    runs: c.runs.total,
    generatedAt: input.generatedAt ?? null,
    targets,
    experiments: experiments.map((e) => ({
      id: e.id,
      title: e.title,
      confirmed: e.hypothesisConfirmed,
      issues: issuesOf(e).length,
      fixed: fixedCount(e),
    })),
    checklist,
    risks,
  };
  return { report, blocks, charts };
}

/** The reliability report as data (its JSON form). */
export function buildReliabilityReport(
  input: ReliabilityReportInput,
  options: ReliabilityReportOptions = {},
): ReliabilityReport {
  return build(input, options).report;
}

/**
 * Renders the reliability engineering report as Markdown: executive summary; experiments
 * (hypothesis confirmed, issues found, fixed, with each one's steady state, success criteria and
 * expected-vs-actual lines); reliability patterns in place (breakers with threshold, timeout and
 * state; self-healing coverage and success rate; bulkheads, retries, timeouts, fallbacks);
 * metrics against targets with ✓/✗; a before/after comparison of two runs; the hardening
 * checklist; remaining risks; and a runbook generated from the breakers, fallbacks and
 * supervisor. Every figure states its n and seed.
 *
 * @example
 * ```ts
 * const md = renderReliabilityReportMarkdown({
 *   system: 'ecommerce',
 *   metrics: recorder.summary(),
 *   experiments: results,
 *   comparison: { before, after, metrics: history.compare(before.id, after.id) },
 * });
 * ```
 */
export function renderReliabilityReportMarkdown(
  input: ReliabilityReportInput,
  options: ReliabilityReportOptions = {},
): string {
  return renderMarkdown(build(input, options).blocks);
}

/**
 * Renders the reliability report as one self-contained HTML page: the Markdown report's content
 * plus charts (success rate by scenario and experiment against the target, MTTR-A percentiles,
 * breaker trips, before/after) drawn as inline SVG, with their data embedded as JSON. It loads
 * nothing from elsewhere, so it opens offline.
 */
export function renderReliabilityReportHtml(
  input: ReliabilityReportInput,
  options: ReliabilityReportOptions = {},
): string {
  const { report, blocks, charts } = build(input, options);
  return renderHtml(report.title, blocks, { report, charts });
}

/**
 * Writes the reliability report to `path` atomically (readers see the old file or the whole new
 * one), as Markdown, HTML or JSON.
 */
export async function writeReliabilityReport(
  path: string,
  input: ReliabilityReportInput,
  options: WriteReliabilityReportOptions = {},
): Promise<void> {
  const lower = path.toLowerCase();
  const format =
    options.format === undefined
      ? lower.endsWith('.html') || lower.endsWith('.htm')
        ? 'html'
        : lower.endsWith('.json')
          ? 'json'
          : 'markdown'
      : assertOneOf(owner, 'format', options.format, ['markdown', 'html', 'json']);
  const text =
    format === 'html'
      ? renderReliabilityReportHtml(input, options)
      : format === 'json'
        ? `${JSON.stringify(buildReliabilityReport(input, options), null, 2)}\n`
        : renderReliabilityReportMarkdown(input, options);
  await writeFileAtomic(path, text);
}
