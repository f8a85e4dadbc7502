import type { WorkflowRunResult } from '../../agents/index.ts';
import type { MetricsRecorder } from '../../metrics/index.ts';
import type { RunOutcome } from './execute-run.ts';

/**
 * Feeds one finished run into `recorder` with explicit calls: each incident becomes a failure
 * (at its failure time, detected at the system's first reaction) and, when the agent got its task
 * done, a recovery (with peer-context use and reconstruction accuracy); each supervisor healing,
 * failed healing and escalation a healing record; each agent hit directly a liveness verdict
 * (DelayedRecovery's false positives); then the run itself. Times are the run's clock times.
 *
 * Failures, recoveries and healings come only from here; `subscribeMetrics` (without handlers
 * for the agent channels) only counts channel messages, so nothing is counted twice.
 */
export function recordRunMetrics<R extends WorkflowRunResult>(
  recorder: MetricsRecorder,
  outcome: RunOutcome<R>,
): void {
  const { analysis, runId, seed } = outcome;
  const result = outcome.observed.result;
  const scenario = outcome.scenario.name;
  const base = result.startedAt;
  analysis.incidents.forEach((incident, i) => {
    const failureId = recorder.recordFailure({
      id: `${runId}#${i + 1}`,
      runId,
      scenario,
      agent: incident.agent,
      kind: incident.kinds.join('+'),
      injected: true,
      detail: `${incident.faults.join(', ')} (${incident.injections} injection${incident.injections === 1 ? '' : 's'}); first reaction: ${incident.reactions[0] ?? 'none'}`,
      at: base + incident.atMs,
      detectedAt: base + incident.detectedAtMs,
    });
    if (incident.recoveredAtMs !== undefined) {
      recorder.recordRecovery({
        failureId,
        at: base + incident.recoveredAtMs,
        usedPeerContext: incident.usedPeerContext,
        ...(incident.reconstructionAccuracy === undefined
          ? {}
          : { reconstructionAccuracy: incident.reconstructionAccuracy }),
      });
    }
  });
  for (const e of result.events) {
    if (e.type === 'supervisor-healed') {
      recorder.recordHealing({
        outcome: 'healed',
        runId,
        scenario,
        agent: e.agent,
        action: 'restart',
        durationMs: e.recoveryMs,
        at: base + e.elapsedMs,
        detail: `after ${e.restarts} restart(s)`,
      });
    } else if (e.type === 'supervisor-healing-failed') {
      recorder.recordHealing({
        outcome: 'failed',
        runId,
        scenario,
        agent: e.agent,
        action: 'restart',
        at: base + e.elapsedMs,
        detail: e.error.message,
      });
    } else if (e.type === 'supervisor-escalated') {
      recorder.recordHealing({
        outcome: 'escalated',
        runId,
        scenario,
        agent: e.agent,
        at: base + e.elapsedMs,
        detail: `after ${e.failedHealings} failed healing(s): ${e.error.message}`,
      });
    }
  }
  for (const verdict of analysis.liveness) {
    recorder.recordLivenessVerdict({
      declaredDead: verdict.declaredDead,
      actuallyDead: verdict.actuallyDead,
      runId,
      scenario,
      agent: verdict.agent,
      at: result.finishedAt,
    });
  }
  recorder.recordRun({
    runId,
    scenario,
    seed,
    startedAt: base,
    endedAt: result.finishedAt,
    success: result.status === 'completed',
    crashed: result.crashed,
    ...(analysis.error === undefined
      ? {}
      : { error: `${analysis.error.name}: ${analysis.error.message}` }),
  });
}
