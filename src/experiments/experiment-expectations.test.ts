import { describe, expect, test } from 'vitest';
import { evaluateExpectations, type ObservedBehaviour } from './experiment-expectations.ts';
import { parseExperiment } from './load-experiment.ts';

const experiment = parseExperiment(
  `title: T
system: ecommerce
hypothesis: When the tool is down, the agent will fail gracefully.
steadyState:
  probes:
    - { probe: success-rate, tolerance: '> 95%' }
method:
  - { type: pause, duration: 1s }
expected:
  detectionTime: <= 10s
  retries: 3
  gracefulFailure: true
  clearErrorMessage: { contains: unavailable }
  stateCorrupted: false
`,
  't.yaml',
);

const good: ObservedBehaviour = {
  detectionMs: 4200,
  retries: 3,
  crashed: false,
  errorMessage: "tool 'upload-image' unavailable after 3 attempt(s)",
  stateCorrupted: false,
  basis: 'worst of 200 runs',
};

describe('evaluateExpectations', () => {
  test('one expected-vs-actual line per expectation, passing when met', () => {
    expect(evaluateExpectations(experiment.expected, good)).toEqual([
      {
        id: 'detection-time',
        label: 'Detection time',
        expected: '≤ 10 s',
        actual: '4.2 s (worst of 200 runs)',
        passed: true,
      },
      {
        id: 'retries',
        label: 'Retries',
        expected: '= 3',
        actual: '3 (worst of 200 runs)',
        passed: true,
      },
      {
        id: 'graceful-failure',
        label: 'Graceful failure (no crash)',
        expected: 'yes',
        actual: 'yes (worst of 200 runs)',
        passed: true,
      },
      {
        id: 'clear-error',
        label: 'Clear error message',
        expected: 'contains "unavailable"',
        actual: '"tool \'upload-image\' unavailable after 3 attempt(s)"',
        passed: true,
      },
      {
        id: 'state-corrupted',
        label: 'State corrupted',
        expected: 'no',
        actual: 'no (worst of 200 runs)',
        passed: true,
      },
    ]);
  });

  test('fails each line that is not met, and marks unmeasured ones as null', () => {
    const lines = evaluateExpectations(experiment.expected, {
      detectionMs: 12_000,
      retries: null,
      crashed: true,
      errorMessage: 'Error',
      stateCorrupted: true,
    });
    expect(lines.map((l) => [l.id, l.actual, l.passed])).toEqual([
      ['detection-time', '12 s', false],
      ['retries', 'not measured', null],
      ['graceful-failure', 'no', false],
      ['clear-error', '"Error"', false],
      ['state-corrupted', 'yes', false],
    ]);
  });

  test('a clear message: any message that says what failed, or one matching a regex', () => {
    const any = evaluateExpectations(
      { clearErrorMessage: { kind: 'any' } },
      { ...good, errorMessage: 'Internal error' },
    );
    expect(any.map((l) => [l.expected, l.passed])).toEqual([
      ['a message saying what failed', false],
    ]);
    expect(evaluateExpectations({ clearErrorMessage: { kind: 'any' } }, good)[0]?.passed).toBe(
      true,
    );
    const regex = {
      clearErrorMessage: { kind: 'regex', regex: 'budget|quota', flags: 'i' },
    } as const;
    expect(
      evaluateExpectations(regex, { ...good, errorMessage: 'Token BUDGET exceeded' })[0],
    ).toMatchObject({
      expected: 'matches /budget|quota/i',
      passed: true,
    });
    expect(evaluateExpectations(regex, { ...good, errorMessage: null })[0]).toMatchObject({
      actual: 'no error reached the caller',
      passed: null,
    });
  });

  test('nothing expected, no lines', () => {
    expect(evaluateExpectations({}, good)).toEqual([]);
  });
});
