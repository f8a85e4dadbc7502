import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { Workflow } from '../../agents/index.ts';
import {
  realClock,
  VirtualClock,
  writeFileAtomic,
  type Clock,
  type JsonValue,
  type Random,
} from '../../core/index.ts';
import {
  describeCampaign,
  formatCampaignTable,
  renderCampaignMarkdown,
  runCampaign,
  type CampaignProgress,
  type CampaignResult,
  type InputFactory,
} from '../../experiments/campaign/index.ts';
import {
  builtinScenarios,
  findScenario,
  type Scenario,
} from '../../experiments/scenarios/index.ts';
import { describeInjection } from '../../faults/index.ts';
import {
  exportMetrics,
  headlineFigures,
  metricsTimestamp,
  MetricsRecorder,
} from '../../metrics/index.ts';
import {
  writeChaosReport,
  type ChaosReportInput,
  type ReliabilityPatternsInput,
} from '../../reports/index.ts';
import { defaultHistoryPath, RunHistory, type RunRecord } from '../../store/index.ts';
import { addFlags, parse, readFlags, type FlagTable } from '../flags.ts';
import type { CliContext, CliIo } from '../main.ts';
import { UsageError } from '../usage-error.ts';

/** What `faultline demo` accepts: the campaign's settings, its outputs, and how it reports. */
export interface DemoCommandConfig {
  runs: number;
  seed: string;
  scenarios: string[];
  concurrency: number;
  delay: number;
  time: 'virtual' | 'real';
  resilience: boolean;
  output: string;
  reports: boolean;
  db: string;
  history: boolean;
  progress: boolean;
  json: boolean;
}

/** The defaults of `faultline demo`. */
export const demoDefaults = {
  runs: 100,
  seed: '42',
  concurrency: 4,
  delay: 0,
  time: 'virtual',
} as const;

/** Reads a comma-separated list of scenario names into their canonical names. */
export function parseScenarioNames(raw: string, flag: string): string[] {
  const names = parse.list()(raw, flag);
  return names.map((name) => {
    const scenario = findScenario(name);
    if (scenario === undefined) {
      throw new UsageError(
        `${flag} must list built-in scenarios, got "${name}"`,
        `one of ${builtinScenarios.map((s) => s.name).join(', ')} (see faultline scenarios)`,
      );
    }
    return scenario.name;
  });
}

const flags: FlagTable<DemoCommandConfig> = {
  runs: {
    flag: '--runs <n>',
    description: 'runs of each scenario',
    parse: parse.integer(1),
    defaultDescription: String(demoDefaults.runs),
  },
  seed: {
    flag: '--seed <seed>',
    description: 'campaign seed; run i of scenario S gets the seed <seed>-<S>-<i>',
    parse: parse.text,
    defaultDescription: demoDefaults.seed,
  },
  scenarios: {
    flag: '--scenarios <names>',
    description: 'comma-separated scenarios to run (see faultline scenarios)',
    parse: parseScenarioNames,
    defaultDescription: 'all ten',
  },
  concurrency: {
    flag: '--concurrency <n>',
    description: 'runs in flight at once',
    parse: parse.integer(1),
    defaultDescription: String(demoDefaults.concurrency),
  },
  delay: {
    flag: '--delay <duration>',
    description: 'wait between runs (free in virtual time), e.g. 500ms, 2s',
    parse: parse.duration,
    defaultDescription: '0',
  },
  time: {
    flag: '--time <mode>',
    description: 'virtual (one simulated clock, seconds for hours of runs) or real',
    parse: parse.oneOf(['virtual', 'real']),
    defaultDescription: demoDefaults.time,
  },
  resilience: {
    flag: '--no-resilience',
    description: 'run the control: the example without its resilience policies',
  },
  output: {
    flag: '--output <dir>',
    description: 'directory for the reports and exports',
    defaultDescription: 'reports/<timestamp>',
  },
  reports: { flag: '--no-reports', description: 'write no reports or exports' },
  db: {
    flag: '--db <path>',
    description: 'run history to record the campaign in',
    defaultDescription: defaultHistoryPath,
  },
  history: { flag: '--no-history', description: 'do not record the campaign in the run history' },
  progress: { flag: '--no-progress', description: 'no progress bar or progress lines' },
  json: { flag: '--json', description: 'print the campaign result as JSON instead of tables' },
};

/** What the CLI uses of the e-commerce example (`examples/ecommerce/index.ts`). */
interface EcommerceExample {
  createEcommerceWorkflow(options?: { resilience?: boolean }): Workflow;
  resiliencePatterns(): ReliabilityPatternsInput;
  sampleProductInput(random: Random): unknown;
}

/**
 * The reference system the demo and `replay` run: the e-commerce example. It lives in
 * `examples/`, outside `src/` (nothing in src/ imports it), so it is loaded when a command needs
 * it, from the repository checkout or the package's `examples/` folder.
 */
export async function ecommerceSystem(resilience = true): Promise<{
  readonly workflow: Workflow;
  readonly input: InputFactory<unknown>;
  /** The resilience patterns it runs with (none for the control). */
  readonly patterns: ReliabilityPatternsInput | undefined;
}> {
  const url = new URL('../../../examples/ecommerce/index.ts', import.meta.url);
  let example: EcommerceExample;
  try {
    example = (await import(url.href)) as EcommerceExample;
  } catch (error) {
    throw new Error(
      `the demo runs the e-commerce example (${url.pathname}), which could not be loaded: ${error instanceof Error ? error.message : String(error)}; run it from a checkout of the faultline repository`,
      { cause: error },
    );
  }
  return {
    workflow: example.createEcommerceWorkflow({ resilience }),
    input: (random) => example.sampleProductInput(random),
    patterns: resilience ? example.resiliencePatterns() : undefined,
  };
}

interface ProgressView {
  update(progress: CampaignProgress): void;
  stop(): void;
}

function eta(progress: CampaignProgress): string {
  if (progress.runsDone === 0) return '?';
  const left = ((progress.runsPlanned - progress.runsDone) * progress.wallMs) / progress.runsDone;
  return `${(left / 1000).toFixed(1)} s`;
}

/** A progress bar on a terminal, plain lines (every 10%) otherwise. */
function progressView(io: CliIo, total: number): ProgressView {
  if (io.isTty) {
    const stream = {
      isTTY: true,
      columns: process.stdout.columns,
      write: (text: string): boolean => {
        io.stdout(text);
        return true;
      },
    };
    const bar = new SingleBar({
      format:
        '  {bar} {value}/{total} runs | {failures} broke an expectation | ETA {eta_formatted}',
      stream: stream as unknown as NodeJS.WritableStream,
      hideCursor: true,
      barsize: 30,
      etaBuffer: 200,
      fps: 10,
    });
    bar.start(total, 0, { failures: 0 });
    return {
      update: (p) => {
        bar.update(p.runsDone, { failures: p.failures });
      },
      stop: () => {
        bar.stop();
      },
    };
  }
  let nextTenth = 1;
  return {
    update: (p) => {
      if (p.runsDone * 10 < nextTenth * p.runsPlanned && p.runsDone !== p.runsPlanned) return;
      while (nextTenth * p.runsPlanned <= p.runsDone * 10) nextTenth++;
      const percent = Math.floor((p.runsDone / p.runsPlanned) * 100);
      io.stdout(
        `  ${p.runsDone.toLocaleString('en-US')}/${p.runsPlanned.toLocaleString('en-US')} runs (${percent}%), ${p.failures} broke an expectation, ETA ${eta(p)}\n`,
      );
    },
    stop: () => undefined,
  };
}

/** The campaign as the chaos report's input: every run an operation, injections sampled. */
export function chaosReportInputOf(result: CampaignResult): ChaosReportInput {
  const crashes = result.runDigests.filter((d) => d.crashed).length;
  const { chaos } = result;
  return {
    seed: result.seed,
    durationMs: result.virtualMs,
    operations: result.runs,
    totalInjections: chaos.injections,
    injectionsByType: chaos.byKind,
    successfulRecoveries: chaos.inSucceededRuns,
    failedRecoveries: chaos.inFailedRuns,
    crashes,
    recoveryRate: chaos.injections === 0 ? 1 : chaos.inSucceededRuns / chaos.injections,
    injections: chaos.sample.map((s, i) => ({
      seq: i + 1,
      time: s.record.time,
      operation: s.run,
      fault: s.record.fault,
      kind: s.record.kind,
      target: s.record.target,
      effect: { type: s.record.effect.type },
      recovered: s.recovered,
      message: `${s.scenario} (seed ${s.seed}): ${describeInjection(s.record)}`,
      ...(s.error === null ? {} : { error: s.error }),
    })),
    failedOperations: result.runDigests
      .map((d, operation) => ({ d, operation }))
      .filter(({ d }) => d.status === 'failed')
      .slice(0, 100)
      .map(({ d, operation }) => ({
        operation,
        crashed: d.crashed,
        injections: d.injections,
        ...(d.error === null ? {} : { error: d.error }),
      })),
  };
}

function headline(result: CampaignResult): Record<string, number> {
  const out: Record<string, number> = {
    ...headlineFigures(result.metrics.campaign),
    runs: result.runs,
    runsBrokenExpectations: result.scenarios.reduce((n, s) => n + s.runs - s.runsPassed, 0),
    wallMs: result.wallMs,
    virtualMs: result.virtualMs,
  };
  if (result.wallMs > 0) out['speedUp'] = result.virtualMs / result.wallMs;
  return out;
}

/** The campaign and one entry per scenario, for the run history. */
export function historyRecords(
  result: CampaignResult,
  id: string,
  wall: { readonly startedAt: number; readonly finishedAt: number },
  config: JsonValue,
): RunRecord[] {
  const records: RunRecord[] = [
    {
      id,
      kind: 'campaign',
      name: result.name,
      seed: result.seed,
      startedAt: wall.startedAt,
      finishedAt: wall.finishedAt,
      status: result.aborted ? 'aborted' : result.passed ? 'passed' : 'failed',
      summary: headline(result),
      config,
      metrics: JSON.parse(JSON.stringify(result.metrics)) as JsonValue,
      tags: ['demo', 'ecommerce', `${result.time}-time`],
    },
  ];
  for (const s of result.scenarios) {
    const summary: Record<string, number> = { runs: s.runs, runsPassed: s.runsPassed };
    const add = (key: string, value: number | null): void => {
      if (value !== null && Number.isFinite(value)) summary[key] = value;
    };
    add('successRate', s.successRate);
    add('recoveryRate', s.recoveryRate);
    add('mttrP50Ms', s.mttrMs.p50);
    add('mttrP95Ms', s.mttrMs.p95);
    add('mttrP99Ms', s.mttrMs.p99);
    add('detectionP95Ms', s.detectionMs.p95);
    add('expectationsPassRate', s.expectationsPassRate);
    add('falsePositiveRate', s.falsePositiveRate);
    records.push({
      id: `${id}/${s.name}`,
      kind: 'campaign',
      name: s.name,
      seed: result.seed,
      startedAt: wall.startedAt,
      finishedAt: wall.finishedAt,
      status: s.hypothesisHeld ? 'passed' : 'failed',
      summary,
      config: { scenario: s.name, runs: s.runs, seed: result.seed },
      metrics: JSON.parse(JSON.stringify(s)) as JsonValue,
      parentId: id,
      tags: ['scenario'],
    });
  }
  return records;
}

/** Writes the reports and exports of a campaign into `dir`; returns the files written. */
export async function writeCampaignReports(
  result: CampaignResult,
  recorder: MetricsRecorder,
  dir: string,
  timestamp?: string,
): Promise<string[]> {
  const exported = await exportMetrics(recorder, {
    dir,
    ...(timestamp === undefined ? {} : { timestamp }),
  });
  const chaosInput = chaosReportInputOf(result);
  const title = `Chaos report: ${result.name} (${result.runs} runs, seed ${result.seed})`;
  const files = {
    campaign: join(dir, 'campaign-report.md'),
    result: join(dir, 'campaign-result.json'),
    chaos: join(dir, 'chaos-report.md'),
    chaosJson: join(dir, 'chaos-report.json'),
  };
  await Promise.all([
    writeFileAtomic(files.campaign, renderCampaignMarkdown(result)),
    writeFileAtomic(files.result, `${JSON.stringify(result, null, 2)}\n`),
    writeChaosReport(chaosInput, files.chaos, { title, maxInjections: 50 }),
    writeChaosReport(chaosInput, files.chaosJson, { title, maxInjections: 200 }),
  ]);
  return [
    files.campaign,
    files.result,
    files.chaos,
    files.chaosJson,
    exported.files.full,
    exported.files.summary,
    exported.files.events,
    exported.files.mttr,
  ];
}

function selectScenarios(names: readonly string[] | undefined): readonly Scenario[] {
  if (names === undefined) return builtinScenarios;
  const wanted = new Set(names);
  return builtinScenarios.filter((s) => wanted.has(s.name));
}

/** Registers `faultline demo`: the campaign of the ten scenarios on the e-commerce example. */
export function registerDemo(program: Command, context: CliContext): void {
  const { io } = context;
  const command = program
    .command('demo')
    .description(
      'run the ten chaos scenarios many times against the e-commerce example, print a summary per scenario, and write reports',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  faultline demo\n  faultline demo --runs 1000 --seed 7\n  faultline demo --scenarios ToolServerDown,ModelTimeout --output out/\n  faultline demo --no-resilience   # the control: the same agents without resilience\n',
    );
  addFlags(command, flags).action(async () => {
    const config = readFlags(command, flags);
    const runs = config.runs ?? demoDefaults.runs;
    const seed = config.seed ?? demoDefaults.seed;
    const time = config.time ?? demoDefaults.time;
    const resilience = config.resilience ?? true;
    const scenarios = selectScenarios(config.scenarios);
    const concurrency = config.concurrency ?? demoDefaults.concurrency;
    const name = resilience ? 'ecommerce-demo' : 'ecommerce-demo-control';
    const wallStartedAt = realClock.now();
    const clock: Clock =
      time === 'virtual' ? new VirtualClock({ start: Math.floor(wallStartedAt) }) : realClock;
    const planned = runs * scenarios.length;
    const recorder = new MetricsRecorder({ name, seed, clock, plannedRuns: planned });
    const json = config.json === true;
    const showProgress = !json && config.progress !== false;
    if (!json) {
      io.stdout(
        `faultline demo: the e-commerce example (product agent -> marketing agent${resilience ? '' : ', no resilience: the control'}) under ${scenarios.length} chaos scenario${scenarios.length === 1 ? '' : 's'}\n`,
      );
      io.stdout(
        `${planned.toLocaleString('en-US')} runs (${runs} per scenario), seed ${seed}, ${time} time, concurrency ${concurrency}\n`,
      );
    }
    const view = showProgress ? progressView(io, planned) : undefined;
    const { workflow, input } = await ecommerceSystem(resilience);
    let result: CampaignResult;
    try {
      result = await runCampaign({
        workflow,
        input,
        scenarios,
        runsPerScenario: runs,
        seed,
        concurrency,
        delayBetweenRunsMs: config.delay ?? demoDefaults.delay,
        time,
        clock,
        recorder,
        name,
        ...(view === undefined
          ? {}
          : {
              onProgress: (p: CampaignProgress) => {
                view.update(p);
              },
            }),
      });
    } finally {
      view?.stop();
    }
    const wallFinishedAt = realClock.now();
    const stamp = metricsTimestamp(wallStartedAt);

    let files: string[] = [];
    const dir = config.output ?? join('reports', stamp);
    if (config.reports !== false) files = await writeCampaignReports(result, recorder, dir, stamp);
    let historyId: string | undefined;
    const db = config.db ?? defaultHistoryPath;
    if (config.history !== false) {
      historyId = `${name}-${stamp}`;
      const history = RunHistory.open(db);
      try {
        history.recordMany(
          historyRecords(
            result,
            historyId,
            { startedAt: wallStartedAt, finishedAt: wallFinishedAt },
            {
              runsPerScenario: runs,
              seed,
              time,
              concurrency,
              resilience,
              scenarios: scenarios.map((s) => s.name),
            },
          ),
        );
      } finally {
        history.close();
      }
    }
    context.exitCode = result.passed ? 0 : 1;

    if (json) {
      io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    io.stdout(`\n${formatCampaignTable(result)}\n`);
    io.stdout(`${describeCampaign(result)}.\n`);
    io.stdout(
      result.passed
        ? `Every hypothesis held in all ${result.runs.toLocaleString('en-US')} runs.\n`
        : `${result.failures.length + result.omittedFailures} run(s) broke an expectation; replay one with faultline replay <scenario> --seed <seed>:\n`,
    );
    for (const failure of result.failures.slice(0, 10)) {
      const first = failure.lines[0];
      io.stdout(
        `  ${failure.scenario}  seed ${failure.seed}${first === undefined ? '' : `: ${first.label}: expected ${first.expected}, got ${first.actual}`}\n`,
      );
    }
    if (files.length > 0) {
      io.stdout(`\nReports and exports in ${dir}/:\n`);
      for (const file of files) io.stdout(`  ${file.slice(dir.length + 1)}\n`);
    }
    if (historyId !== undefined) {
      io.stdout(`\nRecorded in ${db} as ${historyId} (see faultline history).\n`);
    }
  });
}
