// Experiment files: schema, loader, probes, tolerances, expected behaviour.
export {
  createExperimentSchema,
  type ActionScope,
  type ClearErrorMessage,
  type ExpectedBehaviour,
  type Experiment,
  type ExperimentAction,
  type ExperimentSchemaOptions,
  type ExperimentTime,
  type FaultActionSpec,
  type InjectionAction,
  type InjectionTiming,
  type KillSwitchSpec,
  type McpFaultActionSpec,
  type ObservationSpec,
  type PauseActionSpec,
  type ProbeSpec,
  type RollbackAction,
  type RollbackSpec,
  type RollbackStrategy,
  type SteadyStateSpec,
  type SuccessCriteria,
  type ToxicActionSpec,
} from './experiment-schema.ts';
export {
  loadExperiment,
  parseExperiment,
  validateExperiment,
  type LoadExperimentOptions,
} from './load-experiment.ts';
export type { DocumentFormat } from './load-document.ts';
export {
  ExperimentFileError,
  isExperimentFileError,
  type FileIssue,
  type FileIssueCode,
} from './experiment-file-error.ts';
export { durationExpected, parseDuration } from './experiment-duration.ts';
export {
  builtinProbeMetric,
  builtinProbeNames,
  builtinProbes,
  isBuiltinProbe,
  isMetricPath,
  measureBuiltinProbe,
  metricPaths,
  metricUnit,
  readMetric,
  type BuiltinProbeName,
  type MetricPath,
  type ProbePercentile,
} from './experiment-probes.ts';
export {
  checkTolerance,
  describeTolerance,
  formatMeasurement,
  readTolerance,
  toleranceExpected,
  type Comparison,
  type ComparisonOperator,
  type ProbeUnit,
  type Tolerance,
  type ToleranceProblem,
} from './experiment-tolerance.ts';
export {
  evaluateExpectations,
  type ExpectationLineId,
  type ExpectationOutcome,
  type ObservedBehaviour,
} from './experiment-expectations.ts';
export {
  failureModePrefixes,
  impactScale,
  likelihoodScale,
  loadFailureModes,
  parseFailureModes,
  type FailureMode,
  type FailureModeCatalogFile,
  type FailureModeCategory,
} from './load-failure-modes.ts';

// The experiment runner: steady state → method → steady state → rollbacks, kill switch, journal.
export {
  experimentRunId,
  runExperiment,
  type ExperimentRun,
  type RunExperimentOptions,
} from './run-experiment.ts';
export type {
  BatchChaos,
  BatchProgress,
  ExperimentAlert,
  ExperimentBatch,
  ExperimentBatchResult,
  ExperimentPhase,
  ExperimentProgress,
  ExperimentRunStatus,
  McpFaultInjection,
  ProbeContext,
  RegisteredProbe,
  RegisteredRollback,
  RollbackContext,
  RunBatch,
  ToxicClient,
} from './experiment-runner-types.ts';
export {
  ExperimentJournalError,
  isExperimentJournalError,
  parseExperimentJournal,
  readExperimentJournal,
  renderExperimentJournal,
  writeExperimentJournal,
  type ExperimentJournal,
  type JournalEvent,
  type KillSwitchRecord,
  type MethodRecord,
  type MethodStepRecord,
  type MethodStepStatus,
  type ProbeReading,
  type RollbackActionRecord,
  type RollbackRecord,
  type SteadyStateRecord,
} from './experiment-runner-journal.ts';
export type { LogEntry, LogRecord } from './experiment-runner-observe.ts';
export {
  experimentHistoryRecord,
  historyStatusOf,
  type CriterionName,
  type CriterionOutcome,
  type ExperimentHistoryRecord,
  type ExperimentHistoryStatus,
  type ExperimentResultSummary,
} from './experiment-runner-result.ts';
export { campaignRunBatch, type CampaignRunBatchOptions } from './experiment-runner-campaign.ts';

// Scenarios and campaigns.
export * from './scenarios/index.ts';
export * from './campaign/index.ts';
