import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { channelNames, type ChannelMessage, type Subscription } from '../core/index.ts';
import type { MetricsRecorder } from './metrics-recorder.ts';

/**
 * Turns one channel's messages into explicit recorder calls, e.g. an agent's crash event into
 * `recorder.recordFailure(...)`.
 */
export type ChannelHandler = (
  message: ChannelMessage,
  recorder: MetricsRecorder,
  runId: string | undefined,
) => void;

/** Options of {@link subscribeMetrics}. */
export interface SubscribeMetricsOptions {
  /**
   * Channels to subscribe to besides every channel in `channelNames` (their messages are counted
   * and logged generically).
   * @default []
   */
  channels?: readonly string[];
  /**
   * Channels of `channelNames` to leave out, e.g. high-volume bookkeeping a long campaign does
   * not need in its event log.
   * @default []
   */
  ignore?: readonly string[];
  /**
   * The run a message belongs to, asked when the message is published. Channels publish
   * synchronously in the producer's async context, so an `AsyncLocalStorage` the campaign
   * runner sets around each run works here.
   * @default () => undefined
   */
  currentRun?: () => string | undefined;
  /**
   * Handlers per channel name, called after the message is counted: the place to map events
   * metrics does not interpret itself (say, agents' and the supervisor's) to `recordFailure`,
   * `recordRecovery`, `recordHealing`, ... Their channels are subscribed to as well.
   * @default {}
   */
  handlers?: Readonly<Record<string, ChannelHandler>>;
}

function warn(channel: string, error: unknown): void {
  process.emitWarning(
    `faultline metrics: a message on ${channel} could not be recorded: ${error instanceof Error ? error.message : String(error)}`,
    { code: 'FL_METRICS_RECORD_ERROR' },
  );
}

/**
 * Feeds `recorder` from faultline's `node:diagnostics_channel` channels: every channel in
 * `channelNames` (policies, faults, and whatever is added there later), plus `options.channels`
 * and the channels of `options.handlers`. A thin adapter: each message goes to
 * `recorder.recordChannelMessage`, then to its handler. A message that cannot be recorded
 * becomes a process warning, never an exception in the producer. Dispose to unsubscribe.
 *
 * @example
 * ```ts
 * const runs = new AsyncLocalStorage<string>();
 * using _ = subscribeMetrics(recorder, {
 *   currentRun: () => runs.getStore(),
 *   handlers: {
 *     'faultline:agents:crashed': ({ event }, rec, runId) =>
 *       rec.recordFailure({ runId, agent: (event as { agent: string }).agent, kind: 'crash' }),
 *   },
 * });
 * ```
 */
export function subscribeMetrics(
  recorder: MetricsRecorder,
  options: SubscribeMetricsOptions = {},
): Subscription {
  const currentRun = options.currentRun;
  const handlers = options.handlers ?? {};
  const names = new Set<string>([
    ...Object.values(channelNames),
    ...(options.channels ?? []),
    ...Object.keys(handlers),
  ]);
  const listeners: [string, (message: unknown, name: string | symbol) => void][] = [];
  for (const name of options.ignore ?? []) names.delete(name);
  for (const name of names) {
    const handler = handlers[name];
    const listener = (message: unknown): void => {
      try {
        const runId = currentRun?.();
        recorder.recordChannelMessage(name, message, runId);
        if (handler !== undefined && typeof message === 'object' && message !== null) {
          handler(message as ChannelMessage, recorder, runId);
        }
      } catch (error) {
        warn(name, error);
      }
    };
    subscribe(name, listener);
    listeners.push([name, listener]);
  }
  let done = false;
  const dispose = (): void => {
    if (done) return;
    done = true;
    for (const [name, listener] of listeners) unsubscribe(name, listener);
  };
  return { dispose, [Symbol.dispose]: dispose };
}
