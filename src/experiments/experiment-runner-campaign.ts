import type { Workflow, WorkflowRunResult } from '../agents/index.ts';
import { assertFunction, assertInteger, assertRecord, invalidOption } from '../core/index.ts';
import { MetricsRecorder } from '../metrics/index.ts';
import { runCampaign, type InputFactory, type RunOutcome } from './campaign/index.ts';
import type { ObservedBehaviour } from './experiment-expectations.ts';
import type {
  ExperimentBatch,
  ExperimentBatchResult,
  ExperimentPhase,
  RunBatch,
} from './experiment-runner-types.ts';
import { defineScenario, type Scenario } from './scenarios/index.ts';

/** Options of {@link campaignRunBatch}. */
export interface CampaignRunBatchOptions<I, R extends WorkflowRunResult> {
  /**
   * The system under test for one batch, made from the experiment's `configuration` (called once
   * per batch, so every batch starts from fresh state). Throw to refuse a configuration; the
   * experiment then fails with that message.
   */
  readonly workflow: (batch: ExperimentBatch) => Workflow<I, R>;
  /** The initial state of each run, from the run's random stream. */
  readonly input: InputFactory<I>;
  /**
   * Runs in flight at once.
   * @default 4
   */
  readonly concurrency?: number;
  /**
   * Called with the recorder of each batch before it starts (e.g. to show it on the dashboard
   * with `liveSourceFromRecorder`).
   * @default undefined
   */
  readonly onRecorder?: (recorder: MetricsRecorder, batch: ExperimentBatch) => void;
  /**
   * Failing runs listed, with their seeds, in the journal of each batch.
   * @default 20
   */
  readonly maxFailures?: number;
}

const scenarioNames: Readonly<Record<ExperimentPhase, string>> = {
  'steady-state-before': 'SteadyStateBefore',
  method: 'Method',
  'steady-state-after': 'SteadyStateAfter',
};

const owner = 'campaignRunBatch';

/** The scenario a batch runs: the method's chaos (or none), judged by nothing. */
function scenarioOf(batch: ExperimentBatch): Scenario {
  return defineScenario({
    name: scenarioNames[batch.phase],
    title: `${batch.experiment.title}: ${batch.phase}`,
    description:
      batch.chaos === undefined
        ? `Runs of ${batch.experiment.system} without faults, to measure its steady state.`
        : `Runs of ${batch.experiment.system} under the method of experiment ${batch.experiment.id}.`,
    hypothesis: batch.experiment.hypothesis,
    chaos: batch.chaos ?? { faults: [], killSwitch: false },
    // The experiment judges the batch as a whole (probes, criteria, expected lines).
    expectations: [
      {
        id: 'judged-by-experiment',
        label: 'Judged by the experiment',
        expected: 'see the experiment',
        check: () => ({ actual: 'see the experiment', passed: null }),
      },
    ],
  });
}

/**
 * A {@link RunBatch} over the campaign runner: each batch is a campaign of one scenario named
 * after the phase (`SteadyStateBefore`, `Method`, `SteadyStateAfter`) whose chaos is the method's,
 * so run `i` of the method has the seed `<seed>-Method-<i>` and replays alone with `replayRun`.
 * It reports what the runs showed: the worst detection time, the most retries in a run, any
 * crash, the first error a caller got, and work done twice (state corrupted).
 *
 * @example
 * ```ts
 * const runBatch = campaignRunBatch({
 *   workflow: (batch) => createEcommerceWorkflow({ settings: batch.configuration }),
 *   input: (random) => sampleProductInput(random),
 * });
 * const run = await runExperiment(experiment, { runBatch });
 * ```
 */
export function campaignRunBatch<I, R extends WorkflowRunResult>(
  options: CampaignRunBatchOptions<I, R>,
): RunBatch {
  assertRecord(owner, 'options', options);
  assertFunction(owner, 'workflow', options.workflow);
  assertFunction(owner, 'input', options.input);
  const concurrency = assertInteger(owner, 'concurrency', options.concurrency ?? 4, 1);
  const maxFailures = assertInteger(owner, 'maxFailures', options.maxFailures ?? 20, 0);
  return async (batch): Promise<ExperimentBatchResult> => {
    if (batch.mcpFaults.length > 0) {
      invalidOption(
        owner,
        'mcpFaults',
        batch.mcpFaults.map((f) => f.action),
        `none: system '${batch.experiment.system}' reaches no MCP server through a chaos proxy`,
      );
    }
    const workflow = options.workflow(batch);
    const scenario = scenarioOf(batch);
    const name = `${batch.experiment.id}/${batch.phase}`;
    const recorder = new MetricsRecorder({
      name,
      seed: batch.seed,
      clock: batch.clock,
      plannedRuns: batch.runs,
    });
    options.onRecorder?.(recorder, batch);
    let runs = 0;
    let detectionMs: number | null = null;
    let retries: number | null = null;
    let crashed = false;
    let errorMessage: string | null = null;
    let corrupted = false;
    const failures: { seed: string; error: string | null }[] = [];
    const onRun = (outcome: RunOutcome<R>): void => {
      const a = outcome.analysis;
      runs++;
      if (a.detectionMs !== undefined) detectionMs = Math.max(detectionMs ?? 0, a.detectionMs);
      const tries = a.policyEvents.filter((e) => e.type === 'retry').length;
      retries = Math.max(retries ?? 0, tries);
      if (a.crashed) crashed = true;
      if (a.status === 'failed') {
        const text = a.error === undefined ? null : `${a.error.name}: ${a.error.message}`;
        errorMessage ??= a.error?.message ?? null;
        if (failures.length < maxFailures) failures.push({ seed: outcome.seed, error: text });
      }
      if (a.duplicateSideEffects.length > 0 || (a.duplicateWrites ?? 0) > 0) corrupted = true;
    };
    const result = await runCampaign({
      workflow,
      input: options.input,
      scenarios: [scenario],
      runsPerScenario: batch.runs,
      seed: batch.seed,
      concurrency,
      time: batch.time,
      clock: batch.clock,
      recorder,
      name,
      signal: batch.signal,
      maxFailures: 0,
      onRun,
      onProgress: (p) => {
        batch.onProgress({
          runsDone: p.runsDone,
          runsPlanned: p.runsPlanned,
          runsFailed: p.runsFailed,
        });
      },
    });
    const observed: ObservedBehaviour = {
      detectionMs,
      retries,
      crashed: runs === 0 ? null : crashed,
      errorMessage,
      stateCorrupted: runs === 0 ? null : corrupted,
      basis: `worst of ${String(runs)} runs`,
    };
    return {
      summary: result.metrics,
      observed,
      journal: {
        scenario: scenario.name,
        seed: result.seed,
        runs: result.runs,
        aborted: result.aborted,
        wallMs: result.wallMs,
        virtualMs: result.virtualMs,
        injections: result.chaos.injections,
        injectionsByKind: result.chaos.byKind,
        failedRuns: failures,
        replay: `run seeds are <seed>-${scenario.name}-<i>`,
      },
    };
  };
}
