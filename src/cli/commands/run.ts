import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { registerLlmFaultKinds } from '../../ai-sdk/llm-fault-kinds.ts';
import {
  Emitter,
  randomSeeded,
  realClock,
  VirtualClock,
  type Clock,
  type JsonValue,
  type Subscription,
} from '../../core/index.ts';
import {
  emptyLiveSnapshot,
  liveSourceFromRecorder,
  startDashboard,
  DEFAULT_DASHBOARD_PORT,
  type DashboardServer,
  type LiveSnapshot,
  type LiveSource,
  type LiveStatus,
  type RecorderLiveSource,
} from '../../dashboard/index.ts';
import {
  runCampaign,
  type CampaignProgress,
  type CampaignResult,
} from '../../experiments/campaign/index.ts';
import { campaignRunBatch } from '../../experiments/experiment-runner-campaign.ts';
import { isExperimentFileError } from '../../experiments/experiment-file-error.ts';
import { experimentHistoryRecord } from '../../experiments/experiment-runner-result.ts';
import type {
  ExperimentAlert,
  ExperimentProgress,
  RunBatch,
} from '../../experiments/experiment-runner-types.ts';
import { loadExperiment } from '../../experiments/load-experiment.ts';
import {
  experimentRunId,
  runExperiment,
  type ExperimentRun,
} from '../../experiments/run-experiment.ts';
import {
  builtinScenarios,
  defineScenario,
  findScenario,
  type Scenario,
} from '../../experiments/scenarios/index.ts';
import type { Experiment } from '../../experiments/experiment-schema.ts';
import {
  faultKinds,
  isFault,
  resolveFaultKind,
  type Fault,
  type FaultSpec,
} from '../../faults/index.ts';
import { MetricsRecorder, type MetricsSummary } from '../../metrics/index.ts';
import { writeReliabilityReport, type ExperimentResultInput } from '../../reports/index.ts';
import { defaultHistoryPath, RunHistory, type RunRecord } from '../../store/index.ts';
import { addFlags, parse, readFlags, type FlagTable } from '../flags.ts';
import type { CliContext, CliIo } from '../main.ts';
import { UsageError } from '../usage-error.ts';
import { ecommerceSystem } from './demo.ts';
import { emptyMetrics, reportFormats, scenarioResultInput, type ReportFormat } from './report.ts';

/** What `faultline run` accepts. */
export interface RunCommandConfig {
  runs: number;
  seed: string;
  chaosTypes: string[];
  failureRate: number;
  duration: number;
  outputReport: string;
  format: ReportFormat;
  verbose: boolean;
  realTime: boolean;
  dashboard: boolean;
  dashboardPort: number;
  db: string;
  history: boolean;
  journalDir: string;
  steadyStateRuns: number;
  concurrency: number;
  progress: boolean;
}

/** The chaos types the `--chaos-types` help names (any fault kind is accepted). */
const chaosTypeExamples = 'network,disk,timeout,memory,process';

function parseChaosTypes(raw: string, flag: string): string[] {
  registerLlmFaultKinds();
  const items = parse.list()(raw, flag);
  const unknown = items.filter((item) => resolveFaultKind(item) === undefined);
  if (unknown.length > 0) {
    throw new UsageError(
      `${flag} must list fault kinds, got "${unknown.join(', ')}"`,
      `e.g. ${chaosTypeExamples}; every kind: ${faultKinds().join(', ')}`,
    );
  }
  return items;
}

const flags: FlagTable<RunCommandConfig> = {
  runs: {
    flag: '--runs <n>',
    description: 'workflow runs: of the method of each experiment, of each scenario',
    parse: parse.integer(1),
    defaultDescription: "the experiment's runs; 100 per scenario",
  },
  seed: {
    flag: '--seed <seed>',
    description: 'seed of everything random: the same seed replays the same runs',
    parse: parse.text,
    defaultDescription: "the experiment's seed, else a fresh one (printed)",
  },
  chaosTypes: {
    flag: '--chaos-types <kinds>',
    description: `inject only faults of these kinds, comma-separated (${chaosTypeExamples}, ...)`,
    parse: parseChaosTypes,
    defaultDescription: 'every fault of the method',
  },
  failureRate: {
    flag: '--failure-rate <p>',
    description: 'probability (0..1) of each fault firing on a matching call',
    parse: parse.probability,
    defaultDescription: "each fault's own",
  },
  duration: {
    flag: '--duration <duration>',
    description:
      'cap how long faults are injected, e.g. 30s, 5m (per run, or from the method start)',
    parse: parse.duration,
  },
  outputReport: {
    flag: '--output-report <path>',
    description: 'write the reliability report of the results there (atomically)',
  },
  format: {
    flag: '--format <format>',
    description: 'report format: md, html (self-contained page with charts) or json',
    parse: parse.oneOf(reportFormats),
    defaultDescription: 'by --output-report extension, else md',
  },
  verbose: { flag: '--verbose', description: 'print every step of the journal as it happens' },
  realTime: {
    flag: '--real-time',
    description: 'run on the real clock instead of virtual time (for systems with real I/O)',
  },
  dashboard: { flag: '--dashboard', description: 'serve the live dashboard while running' },
  dashboardPort: {
    flag: '--dashboard-port <port>',
    description: 'port of the live dashboard (0 picks a free one)',
    parse: parse.integer(0),
    defaultDescription: String(DEFAULT_DASHBOARD_PORT),
  },
  db: {
    flag: '--db <path>',
    description: 'run history to record the runs in',
    defaultDescription: defaultHistoryPath,
  },
  history: { flag: '--no-history', description: 'do not record the runs in the run history' },
  journalDir: {
    flag: '--journal-dir <dir>',
    description: 'where to write the experiment journals (JSON)',
    defaultDescription: 'journals/ next to the history database',
  },
  steadyStateRuns: {
    flag: '--steady-state-runs <n>',
    description: 'runs of each steady-state check, before and after the method',
    parse: parse.integer(1),
    defaultDescription: 'the same as --runs',
  },
  concurrency: {
    flag: '--concurrency <n>',
    description: 'workflow runs in flight at once',
    parse: parse.integer(1),
    defaultDescription: '4',
  },
  progress: { flag: '--no-progress', description: 'no progress bar or progress lines' },
};

/** A system `faultline run` can run experiments against. */
interface SystemEntry {
  readonly description: string;
  /** The batch runner for an experiment's `configuration`; a usage error for a bad one. */
  readonly campaign: (
    configuration: Readonly<Record<string, unknown>>,
    concurrency: number,
    onRecorder: ((recorder: MetricsRecorder) => void) | undefined,
  ) => Promise<RunBatch>;
}

/** The systems experiments name in `system:`: the e-commerce example. */
const systems: Readonly<Record<string, SystemEntry>> = {
  ecommerce: {
    description: 'the e-commerce example (product agent -> marketing agent)',
    campaign: async (configuration, concurrency, onRecorder) => {
      // `resilience: false` runs the control: the same agents without resilience.
      const unknown = Object.keys(configuration).filter((key) => key !== 'resilience');
      if (
        unknown.length > 0 ||
        !['boolean', 'undefined'].includes(typeof configuration.resilience)
      ) {
        throw new UsageError(
          `the ecommerce system takes only "resilience: true|false" as configuration, got ${JSON.stringify(configuration)}`,
          'remove the other configuration keys from the experiment file',
        );
      }
      const { workflow, input } = await ecommerceSystem(configuration.resilience !== false);
      return campaignRunBatch({
        workflow: () => workflow,
        input,
        concurrency,
        ...(onRecorder === undefined ? {} : { onRecorder }),
      });
    },
  },
};

type Target =
  | { readonly type: 'experiment'; readonly path: string }
  | { readonly type: 'scenario'; readonly scenario: Scenario };

/** Sorts the arguments into experiment files and scenarios; anything else is a usage error. */
function resolveTargets(args: readonly string[]): Target[] {
  return args.map((arg): Target => {
    if (existsSync(arg) && statSync(arg).isFile()) return { type: 'experiment', path: arg };
    if (/\.(ya?ml|json)$/i.test(arg)) {
      throw new UsageError(`experiment file not found: ${arg}`, 'check the path');
    }
    const scenario = findScenario(arg);
    if (scenario !== undefined) return { type: 'scenario', scenario };
    throw new UsageError(
      `"${arg}" is neither an experiment file nor a scenario`,
      `experiment files end in .yaml, .yml or .json; scenarios: ${builtinScenarios.map((s) => s.name).join(', ')}`,
    );
  });
}

/** The dashboard's live source: follows whichever batch or campaign is running. */
class LiveSwitch implements LiveSource {
  #current: RecorderLiveSource | undefined;
  #subscription: Subscription | undefined;
  readonly #changed = new Emitter<undefined>();

  snapshot(): LiveSnapshot {
    return this.#current?.snapshot() ?? emptyLiveSnapshot(realClock.now());
  }

  onUpdate(listener: () => void): Subscription {
    return this.#changed.event(() => {
      listener();
    });
  }

  follow(recorder: MetricsRecorder): void {
    this.#subscription?.dispose();
    this.#current?.dispose();
    this.#current = liveSourceFromRecorder(recorder);
    this.#subscription = this.#current.onUpdate(() => {
      this.#emit();
    });
    this.#emit();
  }

  status(status: LiveStatus): void {
    this.#current?.setStatus(status);
  }

  dispose(): void {
    this.#subscription?.dispose();
    this.#current?.dispose();
  }

  #emit(): void {
    if (this.#changed.active) this.#changed.emit(undefined);
  }
}

interface Progress {
  update(phase: string, done: number, total: number, failed: number): void;
  line(text: string): void;
  stop(): void;
}

/** A progress bar per phase on a terminal; plain lines (every quarter) otherwise. */
function progressView(io: CliIo, enabled: boolean): Progress {
  let bar: SingleBar | undefined;
  let current: string | undefined;
  let nextQuarter = 1;
  const stopBar = (): void => {
    bar?.stop();
    bar = undefined;
  };
  return {
    update(phase, done, total, failed) {
      if (!enabled) return;
      if (phase !== current) {
        stopBar();
        current = phase;
        nextQuarter = 1;
        if (io.isTty) {
          const stream = {
            isTTY: true,
            columns: process.stdout.columns,
            write: (text: string): boolean => {
              io.stdout(text);
              return true;
            },
          };
          bar = new SingleBar({
            format: `  ${phase.padEnd(20)} {bar} {value}/{total} runs | {failed} failed | ETA {eta_formatted}`,
            stream: stream as unknown as NodeJS.WritableStream,
            hideCursor: true,
            barsize: 30,
            fps: 10,
          });
          bar.start(total, 0, { failed: 0 });
        }
      }
      if (bar !== undefined) {
        bar.update(done, { failed });
        return;
      }
      if (done * 4 < nextQuarter * total && done !== total) return;
      while (nextQuarter * total <= done * 4) nextQuarter++;
      io.stdout(`  ${phase}: ${String(done)}/${String(total)} runs, ${String(failed)} failed\n`);
    },
    line(text) {
      if (bar !== undefined) {
        stopBar();
        current = undefined;
      }
      io.stdout(text);
    },
    stop: stopBar,
  };
}

/** Listens for `signal` (SIGUSR2 by default) while `work` runs, calling `onSignal`. */
async function whileListening<T>(
  signal: NodeJS.Signals | false,
  onSignal: () => void,
  work: () => Promise<T>,
): Promise<T> {
  if (signal === false) return work();
  const listener = (): void => {
    onSignal();
  };
  process.on(signal, listener);
  try {
    return await work();
  } finally {
    process.off(signal, listener);
  }
}

const mark = (ok: boolean | null): string => (ok === null ? '–' : ok ? '✓' : '✗');

function printExperiment(io: CliIo, run: ExperimentRun): void {
  const j = run.journal;
  const out: string[] = [];
  const steady = (label: string, record: typeof j.steadyStateBefore): void => {
    if (record === null) return;
    out.push(`  ${label}: ${record.met ? 'met' : 'NOT met'} (${String(record.runs)} runs)`);
    for (const p of record.probes) {
      out.push(
        `    ${mark(p.ok)} ${p.name}: ${p.shown} (tolerance ${p.tolerance})${p.error === undefined ? '' : ` — ${p.error}`}`,
      );
    }
  };
  steady('Steady state before', j.steadyStateBefore);
  if (j.method !== null) {
    const injections = run.metrics?.faults.injections ?? 0;
    out.push(`  Method: ${String(j.method.runs)} runs, ${String(injections)} injections`);
    for (const s of j.method.steps) {
      const extra = [
        s.injections === undefined ? undefined : `${String(s.injections)} injections`,
        s.note,
        s.error,
      ].filter((x) => x !== undefined);
      out.push(
        `    ${s.name} (${s.type}${s.kind === undefined ? '' : ` ${s.kind}`}): ${s.status}${extra.length === 0 ? '' : ` — ${extra.join('; ')}`}`,
      );
    }
  }
  steady('Steady state after', j.steadyStateAfter);
  if (j.criteria.length > 0) {
    out.push('  Success criteria:');
    for (const c of j.criteria) out.push(`    ${mark(c.met)} ${c.criterion}: ${c.detail}`);
  }
  if (j.expectations.length > 0) {
    out.push('  Expected vs actual:');
    for (const e of j.expectations) {
      out.push(`    ${mark(e.passed)} ${e.label}: expected ${e.expected}, got ${e.actual}`);
    }
  }
  if (j.killSwitch !== null) {
    out.push(`  Kill switch: tripped (${j.killSwitch.trigger}) — ${j.killSwitch.detail}`);
  }
  out.push(
    `  Rollbacks: ${j.rollback.ran ? 'ran' : 'not run'} (${j.rollback.reason})${j.rollback.actions.length === 0 ? '' : `: ${j.rollback.actions.map((a) => `${a.name} ${a.status === 'succeeded' ? '✓' : `✗ ${a.detail ?? ''}`}`).join(', ')}`}`,
  );
  if (j.error !== null) out.push(`  Error: ${j.error}`);
  const verdict =
    run.hypothesisConfirmed === null
      ? 'hypothesis not judged'
      : run.hypothesisConfirmed
        ? 'hypothesis CONFIRMED'
        : 'hypothesis NOT confirmed';
  out.push(`  Result: ${run.status} — ${verdict}`);
  io.stdout(`${out.join('\n')}\n`);
}

/** Narrows a scenario's chaos to the flags: kinds kept, probability, duration. */
function tuneScenario(
  scenario: Scenario,
  tuning: {
    kinds: ReadonlySet<string> | undefined;
    failureRate: number | undefined;
    durationMs: number | undefined;
  },
): Scenario {
  if (
    tuning.kinds === undefined &&
    tuning.failureRate === undefined &&
    tuning.durationMs === undefined
  ) {
    return scenario;
  }
  const faults = (scenario.chaos.faults ?? []).flatMap((fault): (FaultSpec | Fault)[] => {
    const kind = resolveFaultKind(fault.kind) ?? fault.kind;
    if (tuning.kinds !== undefined && !tuning.kinds.has(kind)) return [];
    if (tuning.failureRate === undefined || isFault(fault)) return [fault];
    const spec: { -readonly [K in keyof FaultSpec]: FaultSpec[K] } = {
      ...fault,
      probability: tuning.failureRate,
    };
    delete spec.toxicity;
    return [spec];
  });
  return defineScenario({
    name: scenario.name,
    title: scenario.title,
    description: scenario.description,
    hypothesis: scenario.hypothesis,
    chaos: {
      ...scenario.chaos,
      faults,
      ...(tuning.durationMs === undefined ? {} : { durationMs: tuning.durationMs }),
    },
    expectations: scenario.expectations,
    tags: scenario.tags,
  });
}

function campaignRecords(
  result: CampaignResult,
  id: string,
  wall: { startedAt: number; finishedAt: number },
  config: JsonValue,
): RunRecord[] {
  const c = result.metrics.campaign;
  const headline: Record<string, number> = { runs: result.runs };
  const put = (target: Record<string, number>, key: string, value: number | null): void => {
    if (value !== null && Number.isFinite(value)) target[key] = value;
  };
  put(headline, 'successRate', c.runs.successRate);
  put(headline, 'recoveryRate', c.failures.recoveryRate);
  put(headline, 'mttrP95Ms', c.mttrMs.p95);
  put(headline, 'detectionP95Ms', c.detectionMs.p95);
  const records: RunRecord[] = [
    {
      id,
      kind: 'campaign',
      name: result.name,
      seed: result.seed,
      ...wall,
      status: result.aborted ? 'aborted' : result.passed ? 'passed' : 'failed',
      summary: headline,
      config,
      metrics: JSON.parse(JSON.stringify(result.metrics)) as JsonValue,
      tags: ['run'],
    },
  ];
  for (const s of result.scenarios) {
    const summary: Record<string, number> = { runs: s.runs, runsPassed: s.runsPassed };
    put(summary, 'successRate', s.successRate);
    put(summary, 'recoveryRate', s.recoveryRate);
    put(summary, 'mttrP95Ms', s.mttrMs.p95);
    put(summary, 'detectionP95Ms', s.detectionMs.p95);
    records.push({
      id: `${id}/${s.name}`,
      kind: 'campaign',
      name: s.name,
      seed: result.seed,
      ...wall,
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

function stamp(at: number): string {
  return new Date(at)
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
}

/** Registers `faultline run`. */
export function registerRun(program: Command, context: CliContext): void {
  const { io } = context;
  const command = program
    .command('run')
    .argument(
      '<targets...>',
      'experiment files (.yaml, .yml, .json) and/or built-in scenario names',
    )
    .description(
      'run experiments (steady state → method → steady state → rollbacks) or scenarios against the example system; exits 1 when a hypothesis is not confirmed, so it gates CI',
    )
    .addHelpText(
      'after',
      `
Examples:
  faultline run examples/ecommerce/experiments/tool-server-down.yaml
  faultline run examples/ecommerce/experiments/model-timeout.yaml --runs 20 --seed 1 --output-report report.html
  faultline run ToolServerDown ModelTimeout --runs 500 --chaos-types network,timeout
  faultline run experiments/*.yaml --format json --output-report out/reliability.json --no-history
  faultline run model-timeout.yaml --dashboard --real-time

Exit codes: 0 every hypothesis confirmed, 1 one was not (or the kill switch stopped a run),
2 a usage mistake (bad flag, invalid experiment file), 3 an unexpected error.
Send SIGUSR2 to a running experiment to trip its kill switch: injection stops and rollbacks run.
`,
    );
  addFlags(command, flags).action(async (args: string[]) => {
    const config = readFlags(command, flags);
    registerLlmFaultKinds();
    if (config.format !== undefined && config.outputReport === undefined) {
      throw new UsageError('--format applies to the report', 'add --output-report <path>');
    }
    const targets = resolveTargets(args);
    const experiments: { path: string; experiment: Experiment }[] = [];
    for (const target of targets) {
      if (target.type !== 'experiment') continue;
      try {
        experiments.push({
          path: target.path,
          experiment: await loadExperiment(target.path, { systems: Object.keys(systems) }),
        });
      } catch (error) {
        if (isExperimentFileError(error)) {
          throw new UsageError(error.message, 'fix the experiment file and run again');
        }
        throw error;
      }
    }
    const scenarios = targets.flatMap((t) => (t.type === 'scenario' ? [t.scenario] : []));
    const verbose = config.verbose === true;
    const concurrency = config.concurrency ?? 4;
    const time = config.realTime === true ? 'real' : undefined;
    const db = config.db ?? defaultHistoryPath;
    const journalDir = config.journalDir ?? join(dirname(db), 'journals');
    const kinds =
      config.chaosTypes === undefined
        ? undefined
        : new Set(config.chaosTypes.map((k) => resolveFaultKind(k) ?? k));
    const progress = progressView(io, config.progress !== false);

    let dashboard: DashboardServer | undefined;
    let dashboardHistory: RunHistory | undefined;
    const live = new LiveSwitch();
    if (config.dashboard === true) {
      dashboardHistory = config.history === false ? undefined : RunHistory.open(db);
      dashboard = await startDashboard({
        port: config.dashboardPort ?? DEFAULT_DASHBOARD_PORT,
        live,
        ...(dashboardHistory === undefined ? {} : { history: dashboardHistory }),
      });
      io.stdout(`Live dashboard on ${dashboard.url}\n`);
    }

    const results: ExperimentResultInput[] = [];
    const reportMetrics: MetricsSummary[] = [];
    const records: RunRecord[] = [];
    let allPassed = true;
    try {
      for (const { path, experiment } of experiments) {
        const system = systems[experiment.system] as SystemEntry;
        const runs = config.runs ?? experiment.runs;
        const seed = config.seed ?? experiment.seed;
        io.stdout(
          `\nExperiment: ${experiment.title} (${experiment.id}, ${path})\n  Hypothesis: ${experiment.hypothesis}\n`,
        );
        const kill = new AbortController();
        const signal = experiment.killSwitch.signal;
        const wallStartedAt = realClock.now();
        const runId = experimentRunId(experiment.id, wallStartedAt);
        const journalPath = join(journalDir, `${runId}.json`);
        const runBatch = await system.campaign(
          experiment.configuration,
          concurrency,
          (recorder) => {
            if (dashboard !== undefined) live.follow(recorder);
          },
        );
        const run = await whileListening(
          signal,
          () => {
            io.stderr(`faultline: ${String(signal)} received: tripping the kill switch\n`);
            kill.abort(`${String(signal)} received`);
          },
          () =>
            runExperiment(experiment, {
              runBatch,
              runs,
              ...(config.steadyStateRuns === undefined
                ? {}
                : { steadyStateRuns: config.steadyStateRuns }),
              ...(seed === undefined ? {} : { seed }),
              ...(time === undefined ? {} : { time }),
              ...(config.failureRate === undefined ? {} : { failureRate: config.failureRate }),
              ...(config.chaosTypes === undefined ? {} : { faultKinds: config.chaosTypes }),
              ...(config.duration === undefined ? {} : { durationMs: config.duration }),
              killSignal: kill.signal,
              journalPath,
              runId,
              onProgress: (p: ExperimentProgress) => {
                progress.update(p.phase, p.runsDone, p.runsPlanned, p.runsFailed);
              },
              onEvent: (e) => {
                if (e.type === 'phase-started') {
                  progress.line(`  ${e.detail}${e.phase === 'method' ? ' (injecting)' : ''}\n`);
                } else if (verbose) {
                  progress.line(`  [${(e.atMs / 1000).toFixed(1)} s] ${e.type}: ${e.detail}\n`);
                }
              },
              onAlert: (alert: ExperimentAlert) => {
                io.stderr(
                  `faultline: KILL SWITCH tripped (${alert.trigger}) during ${alert.phase ?? 'the experiment'}: ${alert.detail}; injection stopped, restoring normal operation\n`,
                );
              },
            }),
        );
        progress.stop();
        live.status(run.status === 'aborted' ? 'aborted' : 'finished');
        const wallFinishedAt = realClock.now();
        io.stdout(`  Seed ${run.seed}, ${run.journal.time} time\n`);
        printExperiment(io, run);
        io.stdout(`  Journal: ${journalPath}\n`);
        results.push(run.result);
        if (run.metrics !== undefined) reportMetrics.push(run.metrics);
        if (!run.passed) allPassed = false;
        records.push(
          experimentHistoryRecord(run.journal, {
            startedAt: wallStartedAt,
            finishedAt: wallFinishedAt,
          }),
        );
      }

      if (scenarios.length > 0) {
        const tuned = scenarios.map((s) =>
          tuneScenario(s, { kinds, failureRate: config.failureRate, durationMs: config.duration }),
        );
        const runsPerScenario = config.runs ?? 100;
        const seed = config.seed ?? randomSeeded().seed;
        const campaignTime = time ?? 'virtual';
        const wallStartedAt = realClock.now();
        const clock: Clock =
          campaignTime === 'virtual'
            ? new VirtualClock({ start: Math.floor(wallStartedAt) })
            : realClock;
        const planned = runsPerScenario * tuned.length;
        const recorder = new MetricsRecorder({ name: 'run', seed, clock, plannedRuns: planned });
        if (dashboard !== undefined) live.follow(recorder);
        io.stdout(
          `\nScenarios: ${tuned.map((s) => s.name).join(', ')} (${String(runsPerScenario)} runs each, seed ${seed}, ${campaignTime} time)\n`,
        );
        const stop = new AbortController();
        const example = await ecommerceSystem();
        const result = await whileListening(
          'SIGUSR2',
          () => {
            io.stderr('faultline: SIGUSR2 received: stopping the campaign\n');
            stop.abort('SIGUSR2 received');
          },
          () =>
            runCampaign({
              workflow: example.workflow,
              input: example.input,
              scenarios: tuned,
              runsPerScenario,
              seed,
              concurrency,
              time: campaignTime,
              clock,
              recorder,
              name: 'run',
              signal: stop.signal,
              onProgress: (p: CampaignProgress) => {
                progress.update('scenarios', p.runsDone, p.runsPlanned, p.runsFailed);
              },
            }),
        );
        progress.stop();
        live.status(result.aborted ? 'aborted' : 'finished');
        for (const s of result.scenarios) {
          io.stdout(
            `  ${mark(s.runs === 0 ? null : s.hypothesisHeld)} ${s.name}: ${String(s.runsPassed)}/${String(s.runs)} runs met every expectation`,
          );
          io.stdout(
            s.hypothesisHeld
              ? '\n'
              : ` — replay a failing run with faultline replay ${s.name} --seed <seed>\n`,
          );
          results.push(scenarioResultInput(s, result.seed, result.metrics.scenarios[s.name]));
        }
        if (result.aborted) io.stdout('  The campaign was stopped before its end.\n');
        if (!result.passed) allPassed = false;
        reportMetrics.unshift(result.metrics);
        records.push(
          ...campaignRecords(
            result,
            `run-${stamp(wallStartedAt)}`,
            { startedAt: wallStartedAt, finishedAt: realClock.now() },
            { scenarios: tuned.map((s) => s.name), runsPerScenario, seed, time: campaignTime },
          ),
        );
      }
    } finally {
      progress.stop();
      live.dispose();
      await dashboard?.close();
      dashboardHistory?.close();
    }

    if (config.outputReport !== undefined) {
      const format = config.format ?? undefined;
      const metrics = reportMetrics[0] ?? emptyMetrics('run', config.seed ?? '–');
      const first = experiments[0]?.experiment;
      const system = first?.system ?? 'ecommerce';
      const { patterns } =
        system === 'ecommerce'
          ? await ecommerceSystem(first?.configuration['resilience'] !== false)
          : { patterns: undefined };
      await writeReliabilityReport(
        config.outputReport,
        {
          system,
          metrics,
          experiments: results,
          ...(patterns === undefined ? {} : { patterns }),
        },
        format === undefined ? {} : { format: format === 'md' ? 'markdown' : format },
      );
      io.stdout(`\nReliability report: ${config.outputReport}\n`);
    }
    if (config.history !== false && records.length > 0) {
      const history = RunHistory.open(db);
      try {
        history.recordMany(records);
      } finally {
        history.close();
      }
      io.stdout(
        `Recorded in ${db}: ${records
          .filter((r) => r.parentId === undefined)
          .map((r) => r.id)
          .join(', ')}\n`,
      );
    }
    io.stdout(
      allPassed
        ? '\nEvery hypothesis confirmed.\n'
        : '\nAt least one hypothesis was not confirmed (exit code 1).\n',
    );
    context.exitCode = allPassed ? 0 : 1;
  });
}
