/**
 * Where a circuit breaker stands:
 *
 * ```
 *  closed --(strategy trips)--> open --(resetTimeout elapsed, next call)--> half-open
 *    ^                                                                         |
 *    +-------------------(enough probes succeeded)-----------------------------+
 *                         open <--(a probe failed)-----------------------------+
 *  any --isolate()--> isolated --(every handle released, or close())--> closed
 * ```
 */
export type CircuitState = 'closed' | 'open' | 'half-open' | 'isolated';
