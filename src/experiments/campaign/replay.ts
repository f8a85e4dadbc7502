import type { Workflow, WorkflowRunResult } from '../../agents/index.ts';
import {
  assertFunction,
  assertOneOf,
  assertRecord,
  invalidOption,
  realClock,
  VirtualClock,
  type Clock,
} from '../../core/index.ts';
import { resolveChaosConfig } from '../../faults/index.ts';
import { builtinScenarios, findScenario, type Scenario } from '../scenarios/index.ts';
import { executeRun, parseRunSeed, type InputFactory, type RunOutcome } from './execute-run.ts';
import { observePolicies } from './run-frame.ts';
import type { VirtualTimeDriver } from './run-campaign.ts';

/** Options of {@link replayRun}. */
export interface ReplayOptions<I, R extends WorkflowRunResult = WorkflowRunResult> {
  /** The scenario, or its name among `scenarios` (case, dashes and underscores ignored). */
  readonly scenario: Scenario | string;
  /** The run's seed, as a campaign printed it (e.g. `42-ToolServerDown-17`). */
  readonly seed: string;
  /** The system, as the campaign ran it (or a factory, called with the scenario). */
  readonly workflow: Workflow<I, R> | ((scenario: Scenario) => Workflow<I, R>);
  /** The same input factory as the campaign's. */
  readonly input: InputFactory<I>;
  /**
   * Where to look a scenario name up.
   * @default builtinScenarios
   */
  readonly scenarios?: readonly Scenario[];
  /** @default 'virtual' */
  readonly time?: 'virtual' | 'real';
  /** @default a new VirtualClock in virtual time (the journal does not depend on its start), else realClock */
  readonly clock?: Clock;
  /** @default (clock, work) => clock.run(work) */
  readonly drive?: VirtualTimeDriver;
}

const owner = 'replayRun';

/**
 * Runs one run of a scenario again from its seed, alone: same input, same injections, same
 * decisions, and a byte-identical journal, whatever the campaign's concurrency and clock were.
 *
 * @example
 * ```ts
 * const run = await replayRun({
 *   scenario: 'ToolServerDown',
 *   seed: '42-ToolServerDown-17',
 *   workflow: createEcommerceWorkflow(),
 *   input: (random) => sampleProductInput(random),
 * });
 * console.log(run.journal());
 * for (const line of run.lines) console.log(line.label, line.expected, line.actual, line.passed);
 * ```
 */
export async function replayRun<I, R extends WorkflowRunResult>(
  options: ReplayOptions<I, R>,
): Promise<RunOutcome<R>> {
  assertRecord(owner, 'options', options);
  const scenarios = options.scenarios ?? builtinScenarios;
  const scenario =
    typeof options.scenario === 'string'
      ? findScenario(options.scenario, scenarios)
      : options.scenario;
  if (scenario === undefined) {
    invalidOption(
      owner,
      'scenario',
      options.scenario,
      `one of ${scenarios.map((s) => s.name).join(', ')}`,
    );
  }
  if (typeof options.seed !== 'string' || options.seed === '') {
    invalidOption(owner, 'seed', options.seed, 'a non-empty string (a run seed)');
  }
  assertFunction(owner, 'input', options.input);
  const time = assertOneOf(owner, 'time', options.time ?? 'virtual', ['virtual', 'real']);
  const workflow =
    typeof options.workflow === 'function' ? options.workflow(scenario) : options.workflow;
  if (typeof (workflow as Partial<Workflow<I, R>> | undefined)?.run !== 'function') {
    invalidOption(owner, 'workflow', workflow, 'a Workflow (with run) or a factory of one');
  }
  const clock = options.clock ?? (time === 'virtual' ? new VirtualClock() : realClock);
  if (time === 'virtual' && !(clock instanceof VirtualClock)) {
    invalidOption(owner, 'clock', clock, "a VirtualClock (with time: 'virtual')");
  }
  if (time === 'real' && clock instanceof VirtualClock) {
    invalidOption(owner, 'clock', clock, "a real clock (with time: 'real')");
  }
  const parsed = parseRunSeed(options.seed);
  const index = parsed?.scenario === scenario.name ? parsed.index : 0;
  const replay = {};
  const observer = observePolicies(replay);
  try {
    const work = executeRun({
      scenario,
      chaos: resolveChaosConfig({ ...scenario.chaos, enabled: true, seed: scenario.name }),
      workflow,
      input: options.input,
      seed: options.seed,
      index,
      clock,
      virtual: time === 'virtual',
      owner: replay,
      signal: undefined,
    });
    if (time === 'virtual' && clock instanceof VirtualClock) {
      const drive: VirtualTimeDriver = options.drive ?? ((c, w) => c.run(w));
      return await drive(clock, work);
    }
    return await work;
  } finally {
    observer.dispose();
  }
}
