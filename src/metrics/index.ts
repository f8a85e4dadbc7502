export {
  MetricsRecorder,
  type FailureInput,
  type HealingInput,
  type LivenessVerdictInput,
  type MetricsRecorderOptions,
  type RecoveryInput,
  type RunResult,
  type RunStart,
} from './metrics-recorder.ts';
export {
  subscribeMetrics,
  type ChannelHandler,
  type SubscribeMetricsOptions,
} from './subscribe-metrics.ts';
export {
  eventsCsv,
  eventsCsvHeader,
  exportMetrics,
  metricsTimestamp,
  mttrCsv,
  mttrCsvHeader,
  summaryOf,
  type ExportMetricsOptions,
  type MetricsExport,
} from './export-metrics.ts';
export { csvField, toCsv, type CsvOptions, type CsvValue } from './csv.ts';
export { headlineFigures } from './headline-figures.ts';
export { quantile, type QuantileMethod } from './quantile.ts';
export { QuantileSketch, type QuantileSketchOptions } from './quantile-sketch.ts';
export {
  Distribution,
  defaultHistogramBoundsMs,
  type DistributionOptions,
} from './distribution.ts';
export { reconstructionAccuracy } from './reconstruction-accuracy.ts';
export type * from './types.ts';
