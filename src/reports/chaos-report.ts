import {
  assertIntegerOrInfinity,
  assertInteger,
  assertOneOf,
  assertProbability,
  writeFileAtomic,
} from '../core/index.ts';

/** Where an injection happened, as a chaos journal records it. */
export interface ChaosReportTarget {
  readonly operation: string;
  readonly tool?: string | undefined;
  readonly agent?: string | undefined;
  readonly url?: string | undefined;
  readonly host?: string | undefined;
  readonly path?: string | undefined;
  readonly command?: string | undefined;
}

/** An error as a chaos result summarises it. */
export interface ChaosReportError {
  readonly name: string;
  readonly message: string;
  readonly code?: string | number | undefined;
  readonly status?: number | undefined;
}

/** One injection of a chaos test, with its fate. */
export interface ChaosReportInjection {
  /** 1, 2, 3, ... within the run. */
  readonly seq: number;
  /** Milliseconds since the run started. */
  readonly time: number;
  /** The operation (iteration) it happened in; -1 outside any. */
  readonly operation: number;
  /** The fault's name. */
  readonly fault: string;
  /** The fault's kind, e.g. `network`. */
  readonly kind: string;
  readonly target: ChaosReportTarget;
  /** What the fault did; `type` is the effect, e.g. `fail`, `delay`. */
  readonly effect: { readonly type: string };
  /** True when its operation succeeded anyway. */
  readonly recovered: boolean;
  /** One line saying what was injected where. */
  readonly message: string;
  /** The error its operation failed with, when it threw. */
  readonly error?: ChaosReportError | undefined;
}

/** An operation of a chaos test that did not succeed. */
export interface ChaosReportFailedOperation {
  readonly operation: number;
  /** True when it threw; false when its result was judged a failure. */
  readonly crashed: boolean;
  readonly error?: ChaosReportError | undefined;
  /** How many injections it had. */
  readonly injections: number;
}

/**
 * What the chaos report reads from a chaos test's result. A `ChaosTestResult` from
 * `ChaosEngine.runChaosTest` has this shape (declared here because reports do not depend on
 * the faults layer).
 */
export interface ChaosReportInput {
  /** The run's seed (replays it). */
  readonly seed: string;
  readonly durationMs: number;
  /** Operations run. */
  readonly operations: number;
  readonly totalInjections: number;
  readonly injectionsByType: Readonly<Record<string, number>>;
  readonly successfulRecoveries: number;
  readonly failedRecoveries: number;
  /** Operations that threw. */
  readonly crashes: number;
  /** 0..1. */
  readonly recoveryRate: number;
  readonly injections: readonly ChaosReportInjection[];
  /** Listed in the report when given. */
  readonly failedOperations?: readonly ChaosReportFailedOperation[] | undefined;
  /** Why injection stopped before the end, if it did. */
  readonly stopReason?: string | undefined;
  /** What tripped the kill switch, if it tripped. */
  readonly killSwitch?: { readonly trigger: string; readonly detail: string } | undefined;
}

/** The standard a chaos test is judged against: "≥ 90% recovery at 30% failure rate, 0 crashes". */
export const chaosStandard = { minRecoveryRate: 0.9, failureRate: 0.3, maxCrashes: 0 } as const;

/** Options of the chaos report. */
export interface ChaosReportOptions {
  /**
   * Heading of the Markdown report.
   * @default 'Chaos report'
   */
  readonly title?: string;
  /**
   * Lowest recovery rate (0..1) that passes.
   * @default 0.9
   */
  readonly minRecoveryRate?: number;
  /**
   * Most crashes that pass.
   * @default 0
   */
  readonly maxCrashes?: number;
  /**
   * The failure rate (0..1) the run injected at, when known: the verdict says whether it met the
   * standard's 30%.
   * @default undefined (not stated)
   */
  readonly failureRate?: number;
  /**
   * Most injections listed one by one (the rest are counted).
   * @default Infinity
   */
  readonly maxInjections?: number;
}

/** The judgement of a chaos test against {@link ChaosReportOptions}' thresholds. */
export interface ChaosVerdict {
  /** `inconclusive` when nothing was injected. */
  readonly status: 'pass' | 'fail' | 'inconclusive';
  readonly recoveryRate: number;
  readonly minRecoveryRate: number;
  readonly crashes: number;
  readonly maxCrashes: number;
  /** The failure rate the run used, when stated. */
  readonly failureRate: number | undefined;
  /** The standard's failure rate (0.3). */
  readonly standardFailureRate: number;
  /** One sentence: the verdict and why. */
  readonly summary: string;
}

/** The JSON form of the chaos report. */
export interface ChaosReportJson {
  readonly format: 'faultline.chaos-report';
  readonly version: 1;
  readonly verdict: ChaosVerdict;
  readonly seed: string;
  readonly durationMs: number;
  readonly operations: number;
  readonly totalInjections: number;
  readonly injectionsByType: Readonly<Record<string, number>>;
  readonly successfulRecoveries: number;
  readonly failedRecoveries: number;
  readonly crashes: number;
  readonly recoveryRate: number;
  readonly stopReason: string | null;
  readonly killSwitch: { readonly trigger: string; readonly detail: string } | null;
  readonly failedOperations: readonly ChaosReportFailedOperation[];
  readonly injections: readonly ChaosReportInjection[];
  /** Injections left out of `injections` by `maxInjections`. */
  readonly omittedInjections: number;
}

/** Options of {@link writeChaosReport}. */
export interface WriteChaosReportOptions extends ChaosReportOptions {
  /**
   * The file format.
   * @default 'json' when the path ends in `.json`, else 'markdown'
   */
  readonly format?: 'markdown' | 'json';
}

interface Resolved {
  readonly title: string;
  readonly minRecoveryRate: number;
  readonly maxCrashes: number;
  readonly failureRate: number | undefined;
  readonly maxInjections: number;
}

const owner = 'chaos report';

function resolve(options: ChaosReportOptions): Resolved {
  return {
    title: options.title ?? 'Chaos report',
    minRecoveryRate: assertProbability(
      owner,
      'minRecoveryRate',
      options.minRecoveryRate ?? chaosStandard.minRecoveryRate,
    ),
    maxCrashes: assertInteger(owner, 'maxCrashes', options.maxCrashes ?? chaosStandard.maxCrashes),
    failureRate:
      options.failureRate === undefined
        ? undefined
        : assertProbability(owner, 'failureRate', options.failureRate),
    maxInjections: assertIntegerOrInfinity(
      owner,
      'maxInjections',
      options.maxInjections ?? Infinity,
    ),
  };
}

/** `0.9` → `90%`, `0.955` → `95.5%`. */
function percent(x: number): string {
  return `${String(Math.round(x * 1000) / 10)}%`;
}

function duration(ms: number): string {
  if (ms < 1000) return `${String(Math.round(ms))} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

function crashes(n: number): string {
  return `${String(n)} crash${n === 1 ? '' : 'es'}`;
}

const labels = { pass: 'PASS', fail: 'FAIL', inconclusive: 'INCONCLUSIVE' } as const;

/** The verdict, and its summary without the label (for the Markdown heading line). */
function judge(input: ChaosReportInput, o: Resolved): { verdict: ChaosVerdict; detail: string } {
  const standardFailureRate = chaosStandard.failureRate;
  const standard = `standard: ≥ ${percent(o.minRecoveryRate)} recovery at ${percent(standardFailureRate)} failure rate, ${crashes(o.maxCrashes)}`;
  let rate = '';
  if (o.failureRate !== undefined) {
    rate =
      o.failureRate >= standardFailureRate
        ? ` Tested at ${percent(o.failureRate)} failure rate.`
        : ` Tested at ${percent(o.failureRate)} failure rate, below the standard's ${percent(standardFailureRate)}.`;
  }
  let status: ChaosVerdict['status'];
  let why: string;
  if (input.totalInjections === 0) {
    status = 'inconclusive';
    why = 'nothing was injected (is chaos enabled, with a failure rate above 0?)';
  } else {
    const recoveryOk = input.recoveryRate >= o.minRecoveryRate;
    const crashesOk = input.crashes <= o.maxCrashes;
    status = recoveryOk && crashesOk ? 'pass' : 'fail';
    why = `recovery rate ${percent(input.recoveryRate)} ${recoveryOk ? '≥' : '<'} ${percent(o.minRecoveryRate)}, ${crashes(input.crashes)} ${crashesOk ? '≤' : '>'} ${String(o.maxCrashes)}`;
  }
  const detail = `${why} (${standard}).${rate}`;
  const verdict: ChaosVerdict = {
    status,
    recoveryRate: input.recoveryRate,
    minRecoveryRate: o.minRecoveryRate,
    crashes: input.crashes,
    maxCrashes: o.maxCrashes,
    failureRate: o.failureRate,
    standardFailureRate,
    summary: `${labels[status]}: ${detail}`,
  };
  return { verdict, detail };
}

/**
 * Judges a chaos test's result against "≥ 90% recovery at 30% failure rate, 0 crashes" (or the
 * thresholds in `options`).
 */
export function chaosVerdict(
  input: ChaosReportInput,
  options: ChaosReportOptions = {},
): ChaosVerdict {
  return judge(input, resolve(options)).verdict;
}

/** Makes text safe inside a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

function describeTarget(target: ChaosReportTarget): string {
  const details: string[] = [];
  for (const field of ['tool', 'agent', 'url', 'host', 'path', 'command'] as const) {
    const value = target[field];
    if (value === undefined) continue;
    if (field === 'host' && target.url !== undefined) continue; // the URL names it
    details.push(`${field}: ${value}`);
  }
  return details.length === 0 ? target.operation : `${target.operation} (${details.join(', ')})`;
}

function describeError(error: ChaosReportError | undefined): string {
  if (error === undefined) return '';
  const id = error.code ?? error.status;
  const code = id === undefined ? '' : ` ${String(id)}`;
  return `${error.name}${code}: ${error.message}`;
}

const icons = { pass: '✅', fail: '❌', inconclusive: '⚠️' } as const;

/**
 * Renders a chaos test's result as Markdown: the verdict, a summary table (seed, duration,
 * operations, total injections, successful and failed recoveries, crashes, recovery rate, why
 * injection stopped early), injections by type, the failed operations, and every injection
 * (✅ recovered / ❌ not, operation, time, type, target, message, error).
 *
 * @example
 * ```ts
 * const result = await new ChaosEngine(config).runChaosTest(run, { iterations: 100 });
 * console.log(renderChaosReportMarkdown(result, { failureRate: 0.3 }));
 * ```
 */
export function renderChaosReportMarkdown(
  input: ChaosReportInput,
  options: ChaosReportOptions = {},
): string {
  const o = resolve(options);
  const { verdict, detail } = judge(input, o);
  const lines: string[] = [`# ${o.title}`, ''];
  lines.push(`**Verdict: ${icons[verdict.status]} ${labels[verdict.status]}** — ${detail}`, '');
  const rows: [string, string][] = [
    ['Seed', `\`${input.seed}\``],
    ['Duration', duration(input.durationMs)],
    ['Operations', String(input.operations)],
    ['Total injections', String(input.totalInjections)],
    ['Successful recoveries', String(input.successfulRecoveries)],
    ['Failed recoveries', String(input.failedRecoveries)],
    ['Crashes', String(input.crashes)],
    ['Recovery rate', percent(input.recoveryRate)],
  ];
  if (input.killSwitch !== undefined) {
    rows.push([
      'Stopped early',
      `kill switch (${input.killSwitch.trigger}): ${input.killSwitch.detail}`,
    ]);
  } else if (input.stopReason !== undefined) {
    rows.push(['Stopped early', input.stopReason]);
  }
  lines.push('| Metric | Value |', '| --- | --- |');
  for (const [name, value] of rows) lines.push(`| ${name} | ${cell(value)} |`);

  const types = Object.entries(input.injectionsByType).sort(
    ([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0),
  );
  if (types.length > 0) {
    lines.push('', '## Injections by type', '', '| Type | Injections |', '| --- | ---: |');
    for (const [type, count] of types) lines.push(`| ${cell(type)} | ${String(count)} |`);
  }

  const failed = input.failedOperations ?? [];
  if (failed.length > 0) {
    lines.push(
      '',
      '## Failed operations',
      '',
      '| Operation | Outcome | Injections | Error |',
      '| ---: | --- | ---: | --- |',
    );
    for (const f of failed) {
      const outcome = f.crashed ? 'crashed' : 'result rejected';
      lines.push(
        `| ${String(f.operation)} | ${outcome} | ${String(f.injections)} | ${cell(describeError(f.error))} |`,
      );
    }
  }

  lines.push('', '## Injections', '');
  if (input.injections.length === 0) {
    lines.push('None.');
  } else {
    lines.push(
      '| # | Recovered | Operation | Time | Type | Target | Message | Error |',
      '| ---: | :---: | ---: | ---: | --- | --- | --- | --- |',
    );
    for (const i of input.injections.slice(0, o.maxInjections)) {
      const error = i.recovered
        ? ''
        : i.error === undefined
          ? 'result rejected'
          : describeError(i.error);
      lines.push(
        `| ${String(i.seq)} | ${i.recovered ? '✅' : '❌'} | ${i.operation < 0 ? '–' : String(i.operation)} | ${duration(i.time)} | ${cell(i.kind)} | ${cell(describeTarget(i.target))} | ${cell(i.message)} | ${cell(error)} |`,
      );
    }
    const omitted = input.injections.length - Math.min(input.injections.length, o.maxInjections);
    if (omitted > 0) lines.push('', `… and ${String(omitted)} more.`);
  }
  lines.push('', `Replay with seed \`${input.seed}\`.`, '');
  return lines.join('\n');
}

/** The JSON form of the chaos report (see {@link ChaosReportJson}), as an object. */
export function chaosReportJson(
  input: ChaosReportInput,
  options: ChaosReportOptions = {},
): ChaosReportJson {
  const o = resolve(options);
  const listed = input.injections.slice(0, o.maxInjections);
  return {
    format: 'faultline.chaos-report',
    version: 1,
    verdict: judge(input, o).verdict,
    seed: input.seed,
    durationMs: input.durationMs,
    operations: input.operations,
    totalInjections: input.totalInjections,
    injectionsByType: input.injectionsByType,
    successfulRecoveries: input.successfulRecoveries,
    failedRecoveries: input.failedRecoveries,
    crashes: input.crashes,
    recoveryRate: input.recoveryRate,
    stopReason: input.stopReason ?? null,
    killSwitch: input.killSwitch ?? null,
    failedOperations: input.failedOperations ?? [],
    injections: listed,
    omittedInjections: input.injections.length - listed.length,
  };
}

/** The JSON form of the chaos report as text (2-space indent, trailing newline). */
export function renderChaosReportJson(
  input: ChaosReportInput,
  options: ChaosReportOptions = {},
): string {
  return `${JSON.stringify(chaosReportJson(input, options), null, 2)}\n`;
}

/**
 * Writes the chaos report to `path` atomically (a reader sees the old file or the whole new
 * one), creating missing directories.
 *
 * @example
 * ```ts
 * await writeChaosReport(result, 'reports/chaos.md');
 * await writeChaosReport(result, 'reports/chaos.json'); // JSON, from the extension
 * ```
 */
export async function writeChaosReport(
  input: ChaosReportInput,
  path: string,
  options: WriteChaosReportOptions = {},
): Promise<void> {
  const format = assertOneOf(
    owner,
    'format',
    options.format ?? (path.toLowerCase().endsWith('.json') ? 'json' : 'markdown'),
    ['markdown', 'json'],
  );
  const text =
    format === 'json'
      ? renderChaosReportJson(input, options)
      : renderChaosReportMarkdown(input, options);
  await writeFileAtomic(path, text);
}
