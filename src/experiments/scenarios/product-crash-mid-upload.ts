import { defineScenario } from './define-scenario.ts';
import { expectationLines as line } from './expectation-lines.ts';

/**
 * ProductCrashMidUpload: the product agent crashes at 50% progress, once per run (after drafting
 * the description, as its image uploads start). Injection site `agent:product`.
 *
 * Expected: the supervisor notices at once, restarts the agent from its last checkpoint with all
 * of its progress, and the run completes at full quality with no side effect done twice.
 */
export const productCrashMidUpload = defineScenario({
  name: 'ProductCrashMidUpload',
  title: 'The product agent crashes at 50% progress',
  description:
    'The product agent dies once per run halfway through its work, after drafting the ' +
    'description and as the image uploads start (a crash fault at 50% progress on agent:product, ' +
    'at most once per run).',
  hypothesis:
    'When the product agent crashes at 50% progress, the supervisor detects it at once, restarts ' +
    'it from its last checkpoint with all of its progress, and the run completes at full quality ' +
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
    ],
  },
  expectations: [
    line.detectionWithin(1_000),
    line.restarts('product', 1),
    line.resumedFromCheckpoint(),
    line.outcome('completed', { degraded: false }),
    line.gracefulFailure(),
    line.noStateCorruption(),
  ],
  tags: ['crash', 'checkpoint', 'supervisor', 'product-agent'],
});
