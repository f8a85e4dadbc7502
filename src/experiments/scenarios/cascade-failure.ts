import { defineScenario } from './define-scenario.ts';
import { expectationLines as line } from './expectation-lines.ts';

/**
 * CascadeFailure: several agents crash one after another: the product agent at 50% progress,
 * then the marketing agent at 70% (after its review, before scheduling), each once per run.
 * Injection sites `agent:product`, `agent:marketing`.
 *
 * Expected: each crash is detected at once and healed by a restart from its checkpoint; no
 * escalation; the run completes at full quality with nothing done twice.
 */
export const cascadeFailure = defineScenario({
  name: 'CascadeFailure',
  title: 'Several agents crash one after another',
  description:
    'The product agent crashes at 50% progress, then the marketing agent crashes at 70% (after ' +
    'its review, before scheduling): crash faults on agent:product and agent:marketing, each at ' +
    'most once per run.',
  hypothesis:
    'When the agents crash one after another, each crash is detected at once and healed by a ' +
    'restart from its checkpoint, without escalation, and the run completes at full quality ' +
    'with nothing done twice.',
  chaos: {
    killSwitch: false,
    faults: [
      {
        kind: 'crash',
        name: 'product-crash-at-50',
        atProgress: 0.5,
        probability: 1,
        maxInjections: 1,
        target: { operation: 'agent:product' },
      },
      {
        kind: 'crash',
        name: 'marketing-crash-at-70',
        atProgress: 0.7,
        probability: 1,
        maxInjections: 1,
        target: { operation: 'agent:marketing' },
      },
    ],
  },
  expectations: [
    line.detectionWithin(1_000),
    line.restarts('product', 1),
    line.restarts('marketing', 1),
    line.healing(2, 0),
    line.resumedFromCheckpoint(),
    line.outcome('completed', { degraded: false }),
    line.noStateCorruption(),
  ],
  tags: ['crash', 'cascade', 'supervisor', 'checkpoint'],
});
