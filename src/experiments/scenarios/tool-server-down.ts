import { defineScenario } from './define-scenario.ts';
import { expectationLines as line } from './expectation-lines.ts';

/**
 * ToolServerDown: the server behind the product agent's `upload-image` tool refuses every
 * connection for 60 s. Injection site `tool:upload-image`.
 *
 * Expected: the failure is detected within 10 s, retried 3 times with exponential backoff, and
 * the run fails gracefully with a clear message naming the tool, with no listing published
 * without its images and nothing done twice.
 */
export const toolServerDown = defineScenario({
  name: 'ToolServerDown',
  title: 'The upload tool’s server is down for 60 s',
  description:
    'Every call of the upload-image tool is refused with ECONNREFUSED for the first 60 s of the ' +
    'run (a network fault on tool:upload-image, chaos duration 60 s).',
  hypothesis:
    'When the upload-image tool server is unavailable for 60 s, the product agent detects it ' +
    'within 10 s, retries 3 times with backoff, and fails gracefully with a clear error, without ' +
    'publishing a listing or doing anything twice.',
  chaos: {
    killSwitch: false,
    durationMs: 60_000,
    faults: [
      {
        kind: 'network',
        name: 'upload-server-down',
        error: 'ECONNREFUSED',
        probability: 1,
        target: { operation: 'tool:upload-image' },
      },
    ],
  },
  expectations: [
    line.detectionWithin(10_000),
    line.retries(3, { backoff: true }),
    line.outcome('failed'),
    line.gracefulFailure(),
    line.clearError(['upload-image', 'unavailable']),
    line.noStateCorruption({
      forbidden: {
        prefix: 'publish:',
        what: 'no listing published without its images, nothing done twice',
      },
    }),
  ],
  tags: ['network', 'tool', 'retry', 'graceful-failure', 'product-agent'],
});
