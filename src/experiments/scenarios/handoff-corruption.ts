import { defineScenario } from './define-scenario.ts';
import { expectationLines as line } from './expectation-lines.ts';

/**
 * HandoffCorruption: the hand-off message from the product agent to the marketing agent is
 * corrupted in transit once per run (its price becomes a string). Injection site
 * `handoff:product->marketing`.
 *
 * Expected: schema validation rejects it at once, it is re-delivered from the product agent's
 * checkpoint (peer context), and the run completes at full quality.
 */
export const handoffCorruption = defineScenario({
  name: 'HandoffCorruption',
  title: 'The hand-off message is corrupted in transit',
  description:
    'The product agent’s listing is damaged on its way to the marketing agent: its price flips ' +
    'from a number to a string (a corruption fault on handoff:product->marketing, at most once ' +
    'per run).',
  hypothesis:
    'When the hand-off is corrupted in transit, validation rejects it before the marketing agent ' +
    'sees it, it is re-delivered once from the product agent’s checkpoint, and the run completes ' +
    'at full quality.',
  chaos: {
    killSwitch: false,
    faults: [
      {
        kind: 'corruption',
        name: 'handoff-price-flip',
        mode: 'flip-types',
        fields: ['payload.price'],
        probability: 1,
        maxInjections: 1,
        target: { operation: 'handoff:product->marketing' },
      },
    ],
  },
  expectations: [
    line.detectionWithin(1_000),
    line.retries(1, { label: 'Re-deliveries' }),
    line.peerContextUsed(),
    line.outcome('completed', { degraded: false }),
    line.gracefulFailure(),
    line.noStateCorruption(),
  ],
  tags: ['corruption', 'handoff', 'validation', 'peer-context'],
});
