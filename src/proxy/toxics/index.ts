import type { ToxicEntry } from '../toxic-schema.ts';
import { BandwidthStage, type BandwidthLine } from './bandwidth.ts';
import { LatencyStage } from './latency.ts';
import { LimitDataStage } from './limit-data.ts';
import { NoopStage } from './noop.ts';
import { PacketLossStage } from './packet-loss.ts';
import { ResetPeerStage } from './reset-peer.ts';
import { SlicerStage } from './slicer.ts';
import { SlowCloseStage } from './slow-close.ts';
import type { StageContext, StageTarget, ToxicStage } from './stage.ts';
import { TimeoutStage } from './timeout.ts';

export { BandwidthStage, type BandwidthLine } from './bandwidth.ts';
export { LatencyStage } from './latency.ts';
export { LimitDataStage } from './limit-data.ts';
export { NoopStage } from './noop.ts';
export { PacketLossStage } from './packet-loss.ts';
export { ResetPeerStage } from './reset-peer.ts';
export { SlicerStage, sliceBoundaries } from './slicer.ts';
export { SlowCloseStage } from './slow-close.ts';
export { TimeoutStage } from './timeout.ts';
export {
  QueueStage,
  ToxicStage,
  type EndKind,
  type QueueItem,
  type StageAttributes,
  type StageContext,
  type StageTarget,
} from './stage.ts';

/** One line per `proxy_bandwidth` toxic, shared by every connection of its proxy. */
const sharedLines = new WeakMap<ToxicEntry, BandwidthLine>();

/** Builds the stage of a TCP toxic for one direction of one connection. */
export function createStage(entry: ToxicEntry, ctx: StageContext, next: StageTarget): ToxicStage {
  const attributes = entry.attributes;
  switch (entry.type) {
    case 'latency':
      return new LatencyStage(ctx, next).init(attributes);
    case 'bandwidth':
      return new BandwidthStage(ctx, next).init(attributes);
    case 'proxy_bandwidth': {
      let line = sharedLines.get(entry);
      if (line === undefined) {
        line = { freeAt: 0 };
        sharedLines.set(entry, line);
      }
      return new BandwidthStage(ctx, next).init(attributes, line);
    }
    case 'slow_close':
      return new SlowCloseStage(ctx, next).init(attributes);
    case 'timeout':
      return new TimeoutStage(ctx, next).init(attributes);
    case 'reset_peer':
      return new ResetPeerStage(ctx, next).init(attributes);
    case 'slicer':
      return new SlicerStage(ctx, next).init(attributes);
    case 'limit_data':
      return new LimitDataStage(ctx, next).init(attributes);
    case 'packet_loss':
      return new PacketLossStage(ctx, next).init(attributes);
    default:
      return new NoopStage(ctx, next);
  }
}
