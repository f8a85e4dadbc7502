/**
 * The counting half of a rate limit: decides when a permit is free, given the time. A
 * {@link RateLimitPolicy} supplies the time, the waiting queue and the errors; the built-in
 * limiters are the token bucket and the sliding window.
 */
export interface RateLimiter {
  /** Takes one permit at time `now` if one is free. */
  tryAcquire(now: number): boolean;
  /**
   * The earliest time (>= `now`) at which one more permit will be free after `ahead` permits
   * have been taken by calls already waiting. Must agree with {@link tryAcquire}: at that time,
   * with those permits taken, `tryAcquire` succeeds.
   */
  availableAt(now: number, ahead: number): number;
}
