import type { Command } from 'commander';
import { parseRunSeed, replayRun } from '../../experiments/campaign/index.ts';
import {
  builtinScenarios,
  findScenario,
  formatDuration,
  type Scenario,
} from '../../experiments/scenarios/index.ts';
import { addFlags, parse, readFlags, type FlagTable } from '../flags.ts';
import type { CliContext } from '../main.ts';
import { UsageError } from '../usage-error.ts';
import { ecommerceSystem } from './demo.ts';

/** What `faultline replay` accepts. */
export interface ReplayCommandConfig {
  seed: string;
  resilience: boolean;
  journal: boolean;
  json: boolean;
}

const flags: FlagTable<ReplayCommandConfig> = {
  seed: {
    flag: '--seed <seed>',
    description: 'the run seed a campaign printed, e.g. 42-ToolServerDown-17',
    parse: parse.text,
  },
  resilience: {
    flag: '--no-resilience',
    description: 'replay against the control (the example without resilience)',
  },
  journal: { flag: '--no-journal', description: 'print only the expected-vs-actual lines' },
  json: { flag: '--json', description: 'print JSON (journal lines, expectations, result)' },
};

const scenarioNames = (): string => builtinScenarios.map((s) => s.name).join(', ');

function scenarioFor(name: string | undefined, seed: string): Scenario {
  const given = name ?? parseRunSeed(seed)?.scenario;
  if (given === undefined) {
    throw new UsageError(
      'replay needs a scenario: none given, and the seed does not name one',
      'faultline replay <scenario> --seed <seed>',
    );
  }
  const scenario = findScenario(given);
  if (scenario === undefined) {
    throw new UsageError(
      `unknown scenario "${given}"`,
      `one of ${scenarioNames()} (see faultline scenarios)`,
    );
  }
  return scenario;
}

/** Registers `faultline replay`: one run of a scenario again, from its seed. */
export function registerReplay(program: Command, context: CliContext): void {
  const { io } = context;
  const command = program
    .command('replay')
    .argument('[scenario]', 'the scenario (default: the one the seed names)')
    .description(
      'replay one run of a scenario from its seed: print its journal and expected vs actual',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  faultline replay ToolServerDown --seed 42-ToolServerDown-17\n  faultline replay --seed 42-ModelTimeout-3 --no-journal\n',
    );
  addFlags(command, flags).action(async (name: string | undefined) => {
    const config = readFlags(command, flags);
    const seed = config.seed;
    if (seed === undefined || seed === '') {
      throw new UsageError(
        '--seed is required',
        'faultline replay <scenario> --seed <seed> (campaigns print the seed of every failing run)',
      );
    }
    const scenario = scenarioFor(name, seed);
    const { workflow, input } = await ecommerceSystem(config.resilience ?? true);
    const run = await replayRun({ scenario, seed, workflow, input });
    const result = run.observed.result;
    context.exitCode = run.passed ? 0 : 1;
    if (config.json === true) {
      io.stdout(
        `${JSON.stringify(
          {
            scenario: scenario.name,
            seed,
            passed: run.passed,
            status: result.status,
            durationMs: result.durationMs,
            error: run.analysis.error ?? null,
            expectations: run.lines,
            journal: run
              .journal()
              .split('\n')
              .filter((l) => l !== '')
              .map((l) => JSON.parse(l) as unknown),
          },
          null,
          2,
        )}\n`,
      );
      return;
    }
    io.stdout(`Replaying ${scenario.name} (${scenario.title}) with seed ${seed}\n`);
    io.stdout(`Hypothesis: ${scenario.hypothesis}\n`);
    if (config.journal !== false) {
      io.stdout('\nJournal (chaos injections, then agent events; times relative to the run):\n');
      io.stdout(run.journal());
    }
    io.stdout('\nExpected vs actual:\n');
    const width = Math.max(...run.lines.map((l) => l.label.length));
    for (const line of run.lines) {
      const mark = line.passed === true ? 'PASS' : line.passed === false ? 'FAIL' : 'n/a ';
      io.stdout(
        `  ${mark}  ${line.label.padEnd(width)}  expected ${line.expected}; actual ${line.actual}\n`,
      );
    }
    const error = run.analysis.error;
    io.stdout(
      `\nRun ${result.status}${error === undefined ? '' : ` (${error.name}: ${error.message})`} after ${formatDuration(result.durationMs)} of run time; ` +
        `${run.passed ? 'every expectation held' : 'an expectation failed'}.\n`,
    );
  });
}
