import type { Incident } from './analyse-run.ts';
import { formatDuration } from './format-duration.ts';
import type { Expectation, ExpectationCheck } from './types.ts';

const noIncident: ExpectationCheck = { actual: 'no failure detected', passed: false };

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function quote(text: string, max = 160): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max - 1)}…` : text);
}

function retryText(incident: Incident): string {
  const n = incident.retries.length;
  if (n === 0) return '0';
  const waits = incident.retries.map((r) => formatDuration(r.value ?? 0)).join(', ');
  return `${n} (waits ${waits})`;
}

/**
 * Builders of the expected-behaviour lines scenarios are made of. Each returns an
 * {@link Expectation}: an id, a label, the expected value as text, and the check that reads an
 * analysed run.
 *
 * @example
 * ```ts
 * const expectations = [
 *   expectationLines.detectionWithin(10_000),
 *   expectationLines.retries(3, { backoff: true }),
 *   expectationLines.gracefulFailure(),
 *   expectationLines.clearError(['unavailable', 'upload-image']),
 *   expectationLines.noStateCorruption(),
 * ];
 * ```
 */
export const expectationLines = {
  /** The system notices the failure (its first reaction) within `maxMs`, in every incident. */
  detectionWithin(maxMs: number): Expectation {
    return {
      id: 'detection-time',
      label: 'Detection time',
      expected: `≤ ${formatDuration(maxMs)}`,
      check(run) {
        if (run.detectionMs === undefined) return noIncident;
        const n = run.incidents.length;
        const worst = formatDuration(run.detectionMs);
        return {
          actual: n > 1 ? `${worst} (slowest of ${n} failures)` : worst,
          passed: run.detectionMs <= maxMs,
        };
      },
    };
  },

  /**
   * Each incident sees exactly `n` retries (policy `retry` events while it lasts); with
   * `backoff`, they wait between attempts. `label` names what is retried.
   */
  retries(n: number, options: { backoff?: boolean; label?: string } = {}): Expectation {
    const backoff = options.backoff ?? false;
    return {
      id: 'retries',
      label: options.label ?? 'Retries',
      expected: `${n}${backoff ? ' with backoff' : ''}${n > 0 ? ' per failure' : ''}`,
      check(run) {
        if (run.incidents.length === 0) return noIncident;
        const actual = run.incidents
          .map((i) => (run.incidents.length > 1 ? `${i.agent}: ${retryText(i)}` : retryText(i)))
          .join('; ');
        const passed = run.incidents.every(
          (i) =>
            i.retries.length === n &&
            (!backoff || n === 0 || i.retries.reduce((sum, r) => sum + (r.value ?? 0), 0) > 0),
        );
        return { actual, passed };
      },
    };
  },

  /**
   * How the run ends: `completed` (with `degraded` true: a fallback answered; false: full
   * quality; undefined: either), or `failed` (gracefully: not crashed).
   */
  outcome(expected: 'completed' | 'failed', options: { degraded?: boolean } = {}): Expectation {
    const { degraded } = options;
    const text =
      expected === 'failed'
        ? 'fails (handled, not crashed)'
        : degraded === true
          ? 'completes, degraded (a fallback answered)'
          : degraded === false
            ? 'completes, full quality'
            : 'completes';
    return {
      id: 'outcome',
      label: 'Outcome',
      expected: text,
      check(run) {
        const actual =
          run.status === 'failed'
            ? `${run.crashed ? 'crashed' : 'failed'}${run.error === undefined ? '' : `: ${run.error.name}`}`
            : run.degraded
              ? 'completed, degraded'
              : 'completed, full quality';
        const passed =
          expected === 'failed'
            ? run.status === 'failed' && !run.crashed
            : run.status === 'completed' && (degraded === undefined || run.degraded === degraded);
        return { actual, passed };
      },
    };
  },

  /** The run never ends in an unhandled crash. */
  gracefulFailure(): Expectation {
    return {
      id: 'graceful-failure',
      label: 'Graceful failure (no crash)',
      expected: 'yes',
      check: (run) => ({
        actual: run.crashed ? `no: crashed with ${run.error?.name ?? 'an error'}` : 'yes',
        passed: !run.crashed,
      }),
    };
  },

  /** The error the caller gets says what failed: it contains each of `texts` (any case). */
  clearError(texts: readonly string[]): Expectation {
    return {
      id: 'clear-error',
      label: 'Clear error message',
      expected: `names ${texts.map((t) => `"${t}"`).join(' and ')}`,
      check(run) {
        const message = run.error?.message;
        if (message === undefined) return { actual: 'no error reached the caller', passed: null };
        const lower = message.toLowerCase();
        return {
          actual: quote(message),
          passed: texts.every((t) => lower.includes(t.toLowerCase())),
        };
      },
    };
  },

  /** A fallback answered, and the reason it reports contains each of `texts`. */
  clearFallbackReason(texts: readonly string[]): Expectation {
    return {
      id: 'clear-error',
      label: 'Clear reason reported',
      expected: `a fallback note naming ${texts.map((t) => `"${t}"`).join(' and ')}`,
      check(run) {
        const first = run.fallbacks[0];
        if (first === undefined) return { actual: 'no fallback reported', passed: false };
        const all = run.fallbacks.map((f) => `${f.note} (${f.reason})`).join('; ');
        return {
          actual: quote(all),
          passed: run.fallbacks.some((f) =>
            texts.every((t) => f.reason.toLowerCase().includes(t.toLowerCase())),
          ),
        };
      },
    };
  },

  /**
   * State is consistent: no side effect executed twice, no duplicate write, no corrupt
   * checkpoint; with `forbidden`, no side effect whose key starts with `forbidden.prefix`
   * happened (e.g. a listing published without its images).
   */
  noStateCorruption(
    options: { forbidden?: { readonly prefix: string; readonly what: string } } = {},
  ): Expectation {
    const { forbidden } = options;
    return {
      id: 'state-corrupted',
      label: 'State corrupted',
      expected: forbidden === undefined ? 'no (nothing done twice)' : `no (${forbidden.what})`,
      check(run) {
        const problems: string[] = [];
        for (const key of run.duplicateSideEffects) problems.push(`${key} executed twice`);
        if (run.duplicateWrites !== undefined && run.duplicateWrites > 0) {
          problems.push(plural(run.duplicateWrites, 'duplicate write'));
        }
        if (run.corruptCheckpoints > 0) {
          problems.push(plural(run.corruptCheckpoints, 'corrupt checkpoint'));
        }
        if (forbidden !== undefined) {
          for (const key of run.executedSideEffects) {
            if (key.startsWith(forbidden.prefix)) problems.push(`${key} happened`);
          }
        }
        const { executed, replayed } = run.sideEffects;
        if (problems.length > 0) return { actual: `yes: ${problems.join(', ')}`, passed: false };
        const ledger = replayed > 0 ? `, ${replayed} replayed from the ledger` : '';
        return {
          actual:
            executed === 0
              ? `no (no side effect happened${ledger})`
              : `no (${plural(executed, 'side effect')}, each once${ledger})`,
          passed: true,
        };
      },
    };
  },

  /** The supervisor restarts `agent` exactly `n` times. */
  restarts(agent: string, n: number): Expectation {
    return {
      id: `restarts-${agent}`,
      label: `Restarts of the ${agent} agent`,
      expected: String(n),
      check(run) {
        const actual = run.restarts.get(agent) ?? 0;
        return { actual: String(actual), passed: actual === n };
      },
    };
  },

  /** Self-healing: `healed` healings worked and `escalations` escalations happened. */
  healing(healed: number, escalations: number): Expectation {
    return {
      id: 'healing',
      label: 'Self-healing',
      expected: `${plural(healed, 'agent')} healed, ${plural(escalations, 'escalation')}`,
      check: (run) => ({
        actual: `${plural(run.healed, 'agent')} healed, ${plural(run.escalations, 'escalation')}${run.healingFailed > 0 ? ` (${plural(run.healingFailed, 'failed healing')})` : ''}`,
        passed: run.healed === healed && run.escalations === escalations,
      }),
    };
  },

  /** The recovery restored another agent's checkpoint (peer context). */
  peerContextUsed(): Expectation {
    return {
      id: 'peer-context',
      label: "Recovered from a peer's checkpoint",
      expected: 'yes',
      check(run) {
        if (run.incidents.length === 0) return noIncident;
        const used = run.incidents.some((i) => i.usedPeerContext);
        return { actual: used ? 'yes' : 'no', passed: used };
      },
    };
  },

  /** The restarted agent resumed from its last checkpoint with all of its progress. */
  resumedFromCheckpoint(): Expectation {
    return {
      id: 'reconstruction',
      label: 'State reconstructed from the checkpoint',
      expected: '100% of the checkpointed progress',
      check(run) {
        if (run.incidents.length === 0) return noIncident;
        const values = run.incidents
          .map((i) => i.reconstructionAccuracy)
          .filter((v): v is number => v !== undefined);
        if (values.length === 0) return { actual: 'no checkpoint restored', passed: false };
        const worst = Math.min(...values);
        return { actual: `${Math.round(worst * 1000) / 10}%`, passed: worst === 1 };
      },
    };
  },

  /** No agent that was only slow is declared dead (restarted or given up on). */
  noFalsePositives(): Expectation {
    return {
      id: 'false-positives',
      label: 'Slow agent declared dead (false positive)',
      expected: 'no',
      check(run) {
        const alive = run.liveness.filter((v) => !v.actuallyDead);
        if (alive.length === 0) return { actual: 'no slow agent observed', passed: null };
        const wrong = alive.filter((v) => v.declaredDead).map((v) => v.agent);
        return wrong.length === 0
          ? { actual: 'no', passed: true }
          : { actual: `yes: ${wrong.join(', ')} restarted while alive`, passed: false };
      },
    };
  },

  /** A loop guard stops a repeated action after at most `maxRepeats` repeats. */
  loopStopped(maxRepeats: number): Expectation {
    return {
      id: 'loop-stopped',
      label: 'Loop stopped',
      expected: `after at most ${maxRepeats} repeats`,
      check(run) {
        const stops = run.policyEvents.filter((p) => p.type === 'loop-detected');
        const first = stops[0];
        if (first === undefined) return { actual: 'never stopped', passed: false };
        const repetitions = first.value ?? 0;
        return {
          actual: `repetition ${repetitions} refused (${repetitions - 1} allowed)`,
          passed: repetitions - 1 <= maxRepeats,
        };
      },
    };
  },

  /** A budget guard refuses calls once the budget is spent (and nothing spends past `maxTokens`). */
  budgetRefused(maxTokens?: number): Expectation {
    return {
      id: 'budget-refused',
      label: 'Budget enforced',
      expected:
        maxTokens === undefined
          ? 'calls refused once spent'
          : `calls refused once spent, ≤ ${maxTokens} tokens used`,
      check(run) {
        const refusals = run.policyEvents.filter((p) => p.type === 'budget-exceeded').length;
        const tokens = run.tokens;
        const spent = tokens === undefined ? '' : `, ${tokens} tokens used`;
        return {
          actual: `${plural(refusals, 'call')} refused${spent}`,
          passed:
            refusals > 0 &&
            (maxTokens === undefined || tokens === undefined || tokens <= maxTokens),
        };
      },
    };
  },

  /** How `agent` ends: `completed` (or skipped as already done), `failed`, or `not-run`. */
  agentOutcome(agent: string, expected: 'completed' | 'failed' | 'not-run'): Expectation {
    return {
      id: `agent-${agent}`,
      label: `${capitalise(agent)} agent`,
      expected,
      check(run) {
        const raw = run.agents.get(agent) ?? 'not-run';
        const actual = raw === 'skipped' ? 'completed' : raw;
        return { actual: raw, passed: actual === expected };
      },
    };
  },
} as const;
