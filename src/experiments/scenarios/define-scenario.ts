import { assertRecord, invalidOption } from '../../core/index.ts';
import { resolveChaosConfig } from '../../faults/index.ts';
import { analyseRun, type RunAnalysis } from './analyse-run.ts';
import type { ExpectationLine, ObservedRun, Scenario, ScenarioDefinition } from './types.ts';

const owner = 'defineScenario';
const namePattern = /^[A-Za-z][A-Za-z0-9]*$/;

function text(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    invalidOption(owner, option, value, 'a non-empty string');
  }
  return value;
}

/**
 * Creates a {@link Scenario} from its definition, validating it: the name (letters and digits,
 * as run seeds embed it), the texts, the chaos config (as `chaos.run` would, so a bad fault fails
 * here and not in the middle of a campaign) and the expectations. Bad input throws an
 * `InvalidOptionError` naming the field.
 *
 * @example
 * ```ts
 * const slowSearch = defineScenario({
 *   name: 'SlowSearch',
 *   title: 'The search tool answers in 5 s',
 *   description: 'Every call of the search tool is delayed by 5 s.',
 *   hypothesis: 'When search is slow, the agent still answers within its 30 s deadline.',
 *   chaos: { faults: [{ kind: 'latency', ms: 5_000, probability: 1, target: { tool: 'search' } }] },
 *   expectations: [expectationLines.outcome('completed'), expectationLines.gracefulFailure()],
 * });
 * ```
 */
export function defineScenario(definition: ScenarioDefinition): Scenario {
  assertRecord(owner, 'definition', definition);
  const name = text('name', definition.name);
  if (!namePattern.test(name)) {
    invalidOption(owner, 'name', name, 'letters and digits, starting with a letter (PascalCase)');
  }
  const title = text('title', definition.title);
  const description = text('description', definition.description);
  const hypothesis = text('hypothesis', definition.hypothesis);
  assertRecord(owner, 'chaos', definition.chaos);
  const resolved = resolveChaosConfig({ ...definition.chaos, enabled: true, seed: name });
  const expectations = definition.expectations as unknown;
  if (!Array.isArray(expectations) || expectations.length === 0) {
    invalidOption(owner, 'expectations', expectations, 'a non-empty array of expectations');
  }
  const ids = new Set<string>();
  definition.expectations.forEach((e, i) => {
    if (typeof e !== 'object' || typeof e.check !== 'function') {
      invalidOption(owner, `expectations[${i}]`, e, 'an expectation with a check function');
    }
    if (ids.has(e.id)) {
      invalidOption(owner, `expectations[${i}].id`, e.id, 'an id no other expectation has');
    }
    ids.add(e.id);
  });
  const tags = definition.tags ?? [];
  const faultKinds = [...new Set(resolved.faults.map((f) => f.kind))];
  const scenario: Scenario = {
    name,
    title,
    description,
    hypothesis,
    chaos: definition.chaos,
    expectations: definition.expectations,
    tags,
    faultKinds,
    evaluate(run: ObservedRun): ExpectationLine[] {
      return scenario.judge(analyseRun(run));
    },
    judge(analysis: RunAnalysis): ExpectationLine[] {
      return scenario.expectations.map((e) => {
        const { actual, passed } = e.check(analysis);
        return { id: e.id, label: e.label, expected: e.expected, actual, passed };
      });
    },
  };
  return Object.freeze(scenario);
}
