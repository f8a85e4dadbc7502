import { defineScenario } from './define-scenario.ts';
import { expectationLines as line } from './expectation-lines.ts';

/** Extra tokens each model answer costs in BudgetExhausted. */
const runawayTokens = 10_000;

function runaway(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const result = value as { readonly usage?: Readonly<Record<string, unknown>> };
  const usage = result.usage;
  if (usage === undefined) return value;
  const add = (n: unknown): unknown => (typeof n === 'number' ? n + runawayTokens : n);
  return {
    ...value,
    usage: { ...usage, outputTokens: add(usage.outputTokens), totalTokens: add(usage.totalTokens) },
  };
}

/**
 * BudgetExhausted: the model turns verbose and every answer costs 10,000 more tokens, so the
 * run's 20,000-token budget runs out mid-execution. Injection site `llm.generate` (the answer's
 * reported usage).
 *
 * Expected: the budget guard refuses the calls that come after, the agents fall back to
 * templates, and the run completes, degraded, reporting the exhausted budget.
 */
export const budgetExhausted = defineScenario({
  name: 'BudgetExhausted',
  title: 'The token budget runs out mid-execution',
  description:
    'Every model answer costs 10,000 more tokens than usual (a hallucination fault on ' +
    'llm.generate inflating the reported usage), so the 20,000-token budget of the run is spent ' +
    'after two calls.',
  hypothesis:
    'When the token budget runs out mid-execution, the budget guard refuses further model calls ' +
    'and the agents fall back to templates: the run completes, degraded, and reports the budget.',
  chaos: {
    killSwitch: false,
    faults: [
      {
        kind: 'hallucination',
        name: 'runaway-token-usage',
        mutate: runaway,
        probability: 1,
        target: { operation: 'llm.generate' },
      },
    ],
  },
  expectations: [
    line.budgetRefused(),
    line.outcome('completed', { degraded: true }),
    line.gracefulFailure(),
    line.clearFallbackReason(['budget']),
    line.noStateCorruption(),
  ],
  tags: ['budget', 'llm', 'fallback', 'cost'],
});
