export type {
  CampaignChaosFigures,
  CampaignFailure,
  CampaignProgress,
  CampaignResult,
  DurationFigures,
  ErrorDigest,
  ExpectationTally,
  RunDigest,
  SampledInjection,
  ScenarioSummary,
} from './campaign-result.ts';
export { parseRunSeed, runSeed, type InputFactory, type RunOutcome } from './execute-run.ts';
export { recordRunMetrics } from './record-run-metrics.ts';
export { runCampaign, type CampaignOptions, type VirtualTimeDriver } from './run-campaign.ts';
export { replayRun, type ReplayOptions } from './replay.ts';
export {
  describeCampaign,
  formatCampaignTable,
  renderCampaignMarkdown,
} from './render-campaign.ts';
