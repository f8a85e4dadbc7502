import { Distribution, type DistributionOptions } from './distribution.ts';
import type { AvailabilityFigures, MetricsFigures } from './types.ts';

/** How a failure ended, as a {@link FigureSet} counts it. @internal */
export interface Resolution {
  readonly recovered: boolean;
  readonly mttrMs: number | undefined;
  readonly detectionMs: number | undefined;
  readonly usedPeerContext: boolean | undefined;
  readonly reconstructionAccuracy: number | undefined;
}

/** A finished run, as a {@link FigureSet} counts it. @internal */
export interface RunOutcome {
  readonly success: boolean;
  readonly crashed: boolean;
  readonly durationMs: number;
  readonly tasksTotal: number;
  readonly tasksCompleted: number;
  readonly downtimeMs: number;
  readonly failures: number;
}

function rate(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/**
 * The running totals behind one {@link MetricsFigures}: a campaign's or a scenario's.
 * @internal
 */
export class FigureSet {
  runs = 0;
  succeeded = 0;
  crashed = 0;
  readonly runDuration: Distribution;
  tasksTotal = 0;
  tasksCompleted = 0;
  failures = 0;
  injected = 0;
  recovered = 0;
  unrecovered = 0;
  readonly mttr: Distribution;
  readonly detection: Distribution;
  reconstructionN = 0;
  reconstructionSum = 0;
  reconstructionMin = Infinity;
  peerUsed = 0;
  observedMs = 0;
  downtimeMs = 0;
  failuresInRuns = 0;
  healed = 0;
  healingFailed = 0;
  escalations = 0;
  readonly healingDuration: Distribution;
  truePositives = 0;
  falsePositives = 0;
  trueNegatives = 0;
  falseNegatives = 0;

  constructor(distribution: DistributionOptions) {
    this.runDuration = new Distribution(distribution);
    this.mttr = new Distribution(distribution);
    this.detection = new Distribution(distribution);
    this.healingDuration = new Distribution(distribution);
  }

  addFailure(injected: boolean): void {
    this.failures++;
    if (injected) this.injected++;
  }

  resolve(resolution: Resolution): void {
    if (resolution.detectionMs !== undefined) this.detection.add(resolution.detectionMs);
    if (!resolution.recovered) {
      this.unrecovered++;
      return;
    }
    this.recovered++;
    if (resolution.mttrMs !== undefined) this.mttr.add(resolution.mttrMs);
    if (resolution.usedPeerContext === true) this.peerUsed++;
    const accuracy = resolution.reconstructionAccuracy;
    if (accuracy !== undefined) {
      this.reconstructionN++;
      this.reconstructionSum += accuracy;
      if (accuracy < this.reconstructionMin) this.reconstructionMin = accuracy;
    }
  }

  addRun(run: RunOutcome): void {
    this.runs++;
    if (run.success) this.succeeded++;
    if (run.crashed) this.crashed++;
    this.runDuration.add(run.durationMs);
    this.tasksTotal += run.tasksTotal;
    this.tasksCompleted += run.tasksCompleted;
    this.observedMs += run.durationMs;
    this.downtimeMs += run.downtimeMs;
    this.failuresInRuns += run.failures;
  }

  addHealing(outcome: 'healed' | 'failed' | 'escalated', durationMs: number | undefined): void {
    if (outcome === 'escalated') {
      this.escalations++;
    } else if (outcome === 'failed') {
      this.healingFailed++;
    } else {
      this.healed++;
      if (durationMs !== undefined) this.healingDuration.add(durationMs);
    }
  }

  addVerdict(declaredDead: boolean, actuallyDead: boolean): void {
    if (declaredDead && actuallyDead) this.truePositives++;
    else if (declaredDead) this.falsePositives++;
    else if (actuallyDead) this.falseNegatives++;
    else this.trueNegatives++;
  }

  /**
   * The figures. `timeline` replaces the runs-based availability when no run has finished
   * (the campaign's own timeline).
   */
  figures(
    sloTarget: number,
    timeline?: { observedMs: number; downtimeMs: number },
  ): MetricsFigures {
    const useTimeline = this.runs === 0 && timeline !== undefined;
    const observedMs = useTimeline ? timeline.observedMs : this.observedMs;
    const downtimeMs = Math.min(observedMs, useTimeline ? timeline.downtimeMs : this.downtimeMs);
    const uptimeMs = observedMs - downtimeMs;
    const availability: AvailabilityFigures = {
      basis: useTimeline ? 'timeline' : 'runs',
      observedMs,
      uptimeMs,
      downtimeMs,
      availability: rate(uptimeMs, observedMs),
    };
    const basisFailures = useTimeline ? this.failures : this.failuresInRuns;
    const failed = this.runs - this.succeeded;
    // Rounded to 12 digits so that 1% of 100 runs is 1, not 1.0000000000000009.
    const allowed = Number(((1 - sloTarget) * this.runs).toPrecision(12));
    const consumed = this.runs === 0 ? 0 : failed / allowed;
    const attempts = this.healed + this.healingFailed;
    return {
      runs: {
        total: this.runs,
        succeeded: this.succeeded,
        failed,
        crashed: this.crashed,
        successRate: rate(this.succeeded, this.runs),
        durationMs: this.runDuration.summary(),
      },
      tasks: {
        total: this.tasksTotal,
        completed: this.tasksCompleted,
        completionRate: rate(this.tasksCompleted, this.tasksTotal),
      },
      failures: {
        total: this.failures,
        injected: this.injected,
        real: this.failures - this.injected,
        open: this.failures - this.recovered - this.unrecovered,
        recovered: this.recovered,
        unrecovered: this.unrecovered,
        recoveryRate: rate(this.recovered, this.failures),
      },
      mttrMs: this.mttr.summary(),
      detectionMs: this.detection.summary(),
      reconstruction: {
        n: this.reconstructionN,
        mean: rate(this.reconstructionSum, this.reconstructionN),
        min: this.reconstructionN === 0 ? null : this.reconstructionMin,
      },
      peerContext: {
        recoveries: this.recovered,
        used: this.peerUsed,
        rate: rate(this.peerUsed, this.recovered),
      },
      availability,
      mtbfMs: basisFailures === 0 ? null : uptimeMs / basisFailures,
      errorBudget: {
        sloTarget,
        requests: this.runs,
        failed,
        allowed,
        consumed,
        remaining: Math.max(0, 1 - consumed),
        exhausted: consumed >= 1,
      },
      healing: {
        attempts,
        healed: this.healed,
        failed: this.healingFailed,
        escalations: this.escalations,
        successRate: rate(this.healed, attempts),
        durationMs: this.healingDuration.summary(),
      },
      liveness: {
        verdicts:
          this.truePositives + this.falsePositives + this.trueNegatives + this.falseNegatives,
        truePositives: this.truePositives,
        falsePositives: this.falsePositives,
        trueNegatives: this.trueNegatives,
        falseNegatives: this.falseNegatives,
        falsePositiveRate: rate(this.falsePositives, this.falsePositives + this.trueNegatives),
      },
    };
  }
}
