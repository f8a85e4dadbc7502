import type { ExpectedBehaviour } from './experiment-schema.ts';
import { checkTolerance, describeTolerance, formatMeasurement } from './experiment-tolerance.ts';

/**
 * What a run (or the runs of an experiment or scenario) showed, to judge an
 * {@link ExpectedBehaviour} against. `null` means not measured.
 */
export interface ObservedBehaviour {
  /** From the failure to its detection, in ms (the caller picks the statistic, e.g. the worst run). */
  readonly detectionMs: number | null;
  /** Retries made for the failing operation (e.g. the most in any run). */
  readonly retries: number | null;
  /** True when a run ended in an unhandled crash. */
  readonly crashed: boolean | null;
  /** The error the caller got (a representative one), `null` when none reached it. */
  readonly errorMessage: string | null;
  /** True when state was found inconsistent (partial or duplicated writes). */
  readonly stateCorrupted: boolean | null;
  /** How the actual values were summarised, appended to each, e.g. `worst of 200 runs`. */
  readonly basis?: string;
}

/** The expected-behaviour lines, in report order. */
export type ExpectationLineId =
  'detection-time' | 'retries' | 'graceful-failure' | 'clear-error' | 'state-corrupted';

/** One expected-vs-actual line with its verdict: what scenario and experiment reports print. */
export interface ExpectationOutcome {
  /** Stable id, as scenario expectation lines use it. */
  readonly id: ExpectationLineId;
  /** E.g. `Detection time`. */
  readonly label: string;
  /** E.g. `≤ 10 s`. */
  readonly expected: string;
  /** E.g. `4.2 s (worst of 200 runs)`, or `not measured`. */
  readonly actual: string;
  /** `null` when the actual value was not measured (or there was nothing to judge). */
  readonly passed: boolean | null;
}

const generic =
  /^(error|internal error|unknown error|undefined|null|\[object object\]|failed)\.?$/i;

/** True for a message that says what failed: not empty, not a bare class name or "error". */
function isClear(message: string): boolean {
  const text = message.trim();
  return text.length >= 12 && /[a-z]/i.test(text) && !generic.test(text);
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

/**
 * Judges each line of `expected` against what was observed, in a fixed order (detection time,
 * retries, graceful failure, clear error message, state corrupted); lines not expected are left
 * out.
 *
 * @example
 * ```ts
 * evaluateExpectations(experiment.expected, {
 *   detectionMs: 4200, retries: 3, crashed: false,
 *   errorMessage: "tool 'upload-image' unavailable after 3 attempt(s)", stateCorrupted: false,
 *   basis: 'worst of 200 runs',
 * });
 * ```
 */
export function evaluateExpectations(
  expected: ExpectedBehaviour,
  observed: ObservedBehaviour,
): ExpectationOutcome[] {
  const basis = observed.basis === undefined ? '' : ` (${observed.basis})`;
  const lines: ExpectationOutcome[] = [];
  const measured = <T>(value: T | null, show: (v: T) => string): string =>
    value === null ? 'not measured' : `${show(value)}${basis}`;
  if (expected.detectionTime !== undefined) {
    lines.push({
      id: 'detection-time',
      label: 'Detection time',
      expected: describeTolerance(expected.detectionTime, 'ms'),
      actual: measured(observed.detectionMs, (v) => formatMeasurement(v, 'ms')),
      passed:
        observed.detectionMs === null
          ? null
          : checkTolerance(expected.detectionTime, observed.detectionMs),
    });
  }
  if (expected.retries !== undefined) {
    lines.push({
      id: 'retries',
      label: 'Retries',
      expected: describeTolerance(expected.retries, 'count'),
      actual: measured(observed.retries, String),
      passed: observed.retries === null ? null : checkTolerance(expected.retries, observed.retries),
    });
  }
  if (expected.gracefulFailure !== undefined) {
    const graceful = observed.crashed === null ? null : !observed.crashed;
    lines.push({
      id: 'graceful-failure',
      label: 'Graceful failure (no crash)',
      expected: yesNo(expected.gracefulFailure),
      actual: measured(graceful, yesNo),
      passed: graceful === null ? null : graceful === expected.gracefulFailure,
    });
  }
  const clear = expected.clearErrorMessage;
  if (clear !== undefined) {
    const message = observed.errorMessage;
    let wanted: string;
    let passed: boolean | null;
    switch (clear.kind) {
      case 'any':
        wanted = 'a message saying what failed';
        passed = message === null ? null : isClear(message);
        break;
      case 'contains':
        wanted = `contains "${clear.text}"`;
        passed = message === null ? null : message.toLowerCase().includes(clear.text.toLowerCase());
        break;
      case 'regex':
        wanted = `matches /${clear.regex}/${clear.flags}`;
        passed = message === null ? null : new RegExp(clear.regex, clear.flags).test(message);
        break;
    }
    lines.push({
      id: 'clear-error',
      label: 'Clear error message',
      expected: wanted,
      actual: message === null ? 'no error reached the caller' : JSON.stringify(message),
      passed,
    });
  }
  if (expected.stateCorrupted !== undefined) {
    lines.push({
      id: 'state-corrupted',
      label: 'State corrupted',
      expected: yesNo(expected.stateCorrupted),
      actual: measured(observed.stateCorrupted, yesNo),
      passed:
        observed.stateCorrupted === null
          ? null
          : observed.stateCorrupted === expected.stateCorrupted,
    });
  }
  return lines;
}
