import type { Workflow, WorkflowRunResult } from '../../agents/index.ts';
import { createRandom, type Clock, type Random } from '../../core/index.ts';
import { chaos, ChaosScope, type ResolvedChaosConfig } from '../../faults/index.ts';
import {
  analyseRun,
  type ExpectationLine,
  type ObservedRun,
  type RunAnalysis,
  type Scenario,
} from '../scenarios/index.ts';
import { contextBoundClock, runStorage, type RunFrame } from './run-frame.ts';

/**
 * Builds the input (the initial state) of one run from the run's own random stream. It must
 * depend on nothing else, so that a run replays from its seed alone.
 *
 * @example
 * ```ts
 * const input: InputFactory<ProductInput> = (random) => sampleProductInput(random);
 * ```
 */
export type InputFactory<I> = (random: Random, scenario: Scenario) => I;

/** One run of a scenario, judged. */
export interface RunOutcome<R extends WorkflowRunResult = WorkflowRunResult> {
  readonly scenario: Scenario;
  /** Run number within its scenario. */
  readonly index: number;
  /** The run's id: its seed. */
  readonly runId: string;
  /** Replays the run: `replayRun({ scenario, seed })`. */
  readonly seed: string;
  /** What was recorded: the result, the injections, the policies' reactions. */
  readonly observed: ObservedRun<R>;
  readonly analysis: RunAnalysis;
  /** Expected vs actual, one line per expectation of the scenario. */
  readonly lines: readonly ExpectationLine[];
  /** Every judged line passed. */
  readonly passed: boolean;
  /**
   * The run's journal: the chaos journal (every injection decision, times relative to the run's
   * start) followed by the workflow's journal (its agent events, without absolute times). The
   * same seed reproduces it byte for byte.
   */
  journal(): string;
}

/** @internal */
export interface ExecuteRunOptions<I, R extends WorkflowRunResult> {
  readonly scenario: Scenario;
  readonly chaos: ResolvedChaosConfig;
  readonly workflow: Workflow<I, R>;
  readonly input: InputFactory<I>;
  readonly seed: string;
  readonly index: number;
  readonly clock: Clock;
  /** Bind timer callbacks to the run's context (a shared virtual clock). */
  readonly virtual: boolean;
  readonly owner: object;
  readonly signal: AbortSignal | undefined;
  /** Called synchronously just before the workflow starts (metrics: `startRun`). */
  readonly onStart?: (runId: string, at: number) => void;
}

/**
 * The seed of run `index` of `scenario` in a campaign seeded `campaignSeed`:
 * `<campaignSeed>-<scenario>-<index>`. It is also the run's id.
 *
 * @example
 * ```ts
 * runSeed(42, 'ToolServerDown', 17); // '42-ToolServerDown-17'
 * ```
 */
export function runSeed(campaignSeed: string | number, scenario: string, index: number): string {
  return `${String(campaignSeed)}-${scenario}-${index}`;
}

/**
 * Reads a seed made by {@link runSeed}; `undefined` when `seed` does not have that shape.
 * Scenario names contain no `-`-separated number at the end, so the split is unambiguous.
 */
export function parseRunSeed(
  seed: string,
):
  { readonly campaignSeed: string; readonly scenario: string; readonly index: number } | undefined {
  const match = /^(.*)-([A-Za-z][A-Za-z0-9]*)-(\d+)$/.exec(seed);
  if (match === null) return undefined;
  const [, campaignSeed = '', scenario = '', index = '0'] = match;
  return { campaignSeed, scenario, index: Number(index) };
}

/**
 * Runs one run of a scenario: its own random stream from its seed, its own chaos scope (named
 * after the run id, so fault events join the run), its frame (so policy events join it), then
 * analyses and judges it. @internal
 */
export async function executeRun<I, R extends WorkflowRunResult>(
  options: ExecuteRunOptions<I, R>,
): Promise<RunOutcome<R>> {
  const { scenario, seed, index, workflow, signal } = options;
  const runId = seed;
  const random = createRandom(seed);
  const input = options.input(random.fork('input'), scenario);
  const clock = options.virtual ? contextBoundClock(options.clock) : options.clock;
  const frame: RunFrame = {
    runId,
    owner: options.owner,
    clock,
    startedAt: clock.now(),
    policyEvents: [],
  };
  const scope = new ChaosScope({
    ...options.chaos,
    enabled: true,
    seed,
    name: runId,
    clock,
  });
  options.onStart?.(runId, frame.startedAt);
  let result: R;
  try {
    result = await runStorage.run(frame, () =>
      chaos.run(scope, () =>
        workflow.run(input, {
          clock,
          random,
          runId,
          ...(signal === undefined ? {} : { signal }),
        }),
      ),
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `run ${runId} of scenario ${scenario.name} threw instead of returning a result: ${reason}`,
      { cause: error },
    );
  }
  const observed: ObservedRun<R> = {
    scenario: scenario.name,
    index,
    runId,
    seed,
    result,
    injections: scope.journal.injections,
    policyEvents: frame.policyEvents,
  };
  const analysis = analyseRun(observed);
  const lines = scenario.judge(analysis);
  return {
    scenario,
    index,
    runId,
    seed,
    observed,
    analysis,
    lines,
    passed: lines.every((line) => line.passed !== false),
    journal: () => {
      const agents = result.journal();
      return `${scope.journal.toJsonLines()}${agents}${agents === '' || agents.endsWith('\n') ? '' : '\n'}`;
    },
  };
}
