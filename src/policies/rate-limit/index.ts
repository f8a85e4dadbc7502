export type { RateLimiter } from './rate-limiter.ts';
export {
  RateLimitPolicy,
  type RateLimitEvent,
  type RateLimitMode,
  type RateLimitOptions,
} from './rate-limit-policy.ts';
export { tokenBucket, type TokenBucketOptions } from './token-bucket.ts';
export { slidingWindow, type SlidingWindowOptions } from './sliding-window.ts';
