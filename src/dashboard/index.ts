export {
  DEFAULT_DASHBOARD_PORT,
  startDashboard,
  type DashboardOptions,
  type DashboardServer,
} from './start-dashboard.ts';
export {
  createDashboardHandler,
  dashboardErrors,
  dashboardSecurityHeaders,
  type DashboardErrorKind,
  type DashboardHandler,
  type DashboardHandlerOptions,
  type DashboardSnapshot,
} from './dashboard-handler.ts';
export { toNodeListener } from './node-listener.ts';
export { sseFrame } from './live-broadcast.ts';
export {
  emptyLiveSnapshot,
  estimateEtaMs,
  type LiveBreaker,
  type LiveBreakerTransition,
  type LiveHealing,
  type LiveHealingEvent,
  type LiveInjections,
  type LiveMttr,
  type LiveProgress,
  type LiveRatePoint,
  type LiveSnapshot,
  type LiveSource,
  type LiveStatus,
  type LiveSuccessRate,
} from './live-snapshot.ts';
export { LiveFeed } from './live-feed.ts';
export { toLiveSnapshot, type LiveContext } from './to-live-snapshot.ts';
export {
  liveSourceFromRecorder,
  type RecorderLiveSource,
  type RecorderLiveSourceOptions,
  type RecorderView,
} from './live-source-from-recorder.ts';
export {
  historyView,
  type HistoryReader,
  type HistoryTrend,
  type HistoryView,
  type TrendPoint,
} from './history-view.ts';
