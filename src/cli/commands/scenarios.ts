import type { Command } from 'commander';
import { builtinScenarios, type Scenario } from '../../experiments/scenarios/index.ts';
import { addFlags, readFlags, type FlagTable } from '../flags.ts';
import type { CliContext } from '../main.ts';

/** What `faultline scenarios` accepts. */
export interface ScenariosCommandConfig {
  verbose: boolean;
  json: boolean;
}

const flags: FlagTable<ScenariosCommandConfig> = {
  verbose: {
    flag: '--verbose',
    description: 'also show each scenario’s faults and expected behaviour',
  },
  json: { flag: '--json', description: 'print JSON instead of text' },
};

function faultsOf(scenario: Scenario): string[] {
  return (scenario.chaos.faults ?? []).map((fault) => {
    const { kind, name, target, ...rest } = fault as {
      kind: string;
      name?: string;
      target?: Record<string, unknown>;
      [field: string]: unknown;
    };
    const fields = Object.entries(rest)
      .filter(([, value]) => typeof value !== 'function')
      .map(([key, value]) => `${key}=${JSON.stringify(value)}`);
    const where = target === undefined ? 'every call' : JSON.stringify(target);
    return `${name ?? kind} (${kind}) on ${where}${fields.length > 0 ? `: ${fields.join(', ')}` : ''}`;
  });
}

function asJson(scenario: Scenario): Record<string, unknown> {
  return {
    name: scenario.name,
    title: scenario.title,
    description: scenario.description,
    hypothesis: scenario.hypothesis,
    faultKinds: scenario.faultKinds,
    tags: scenario.tags,
    // Functions (code-only faults) drop out of JSON, as they would from a config file.
    chaos: JSON.parse(JSON.stringify(scenario.chaos)) as unknown,
    expectations: scenario.expectations.map((e) => ({
      id: e.id,
      label: e.label,
      expected: e.expected,
    })),
  };
}

/** Registers `faultline scenarios`: the ten built-in scenarios and their hypotheses. */
export function registerScenarios(program: Command, { io }: CliContext): void {
  const command = program
    .command('scenarios')
    .description('list the built-in chaos scenarios with their hypotheses')
    .addHelpText(
      'after',
      '\nExamples:\n  faultline scenarios\n  faultline scenarios --verbose\n  faultline demo --scenarios ToolServerDown --runs 500\n',
    );
  addFlags(command, flags).action(() => {
    const config = readFlags(command, flags);
    if (config.json === true) {
      io.stdout(`${JSON.stringify(builtinScenarios.map(asJson), null, 2)}\n`);
      return;
    }
    const width = Math.max(...builtinScenarios.map((s) => s.name.length));
    for (const scenario of builtinScenarios) {
      io.stdout(`${scenario.name.padEnd(width)}  ${scenario.title}\n`);
      io.stdout(`${' '.repeat(width)}  Hypothesis: ${scenario.hypothesis}\n`);
      if (config.verbose === true) {
        for (const fault of faultsOf(scenario)) {
          io.stdout(`${' '.repeat(width)}  Fault: ${fault}\n`);
        }
        for (const e of scenario.expectations) {
          io.stdout(`${' '.repeat(width)}  Expected: ${e.label}: ${e.expected}\n`);
        }
      }
      io.stdout('\n');
    }
    io.stdout(
      `Run them all with faultline demo; replay one run with faultline replay <scenario> --seed <seed>.\n`,
    );
  });
}
