/**
 * The fields metrics reads from each channel's events, as structural types: metrics imports no
 * producer, so these mirror (a subset of) the producers' event types. Every field is read as
 * `unknown` and checked, since anyone may publish on a channel.
 * @internal
 * @module
 */

/** `faultline:policy:retry` (a policy's `RetryEvent`). */
export interface RetryPayload {
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
  readonly errorClass?: string;
}

/** `faultline:policy:retry-give-up`. */
export interface RetryGiveUpPayload {
  readonly attempts: number;
  readonly reason: string;
  readonly error: unknown;
}

/** `faultline:policy:retry-success`. */
export interface RetrySuccessPayload {
  readonly attempts: number;
}

/** `faultline:policy:fallback`. */
export interface FallbackPayload {
  readonly reason: unknown;
  readonly index: number;
  readonly name: string;
}

/** `faultline:policy:hedge`. */
export interface HedgePayload {
  readonly attempt: number;
  readonly reason: string;
}

/** `faultline:policy:timeout`. */
export interface TimeoutPayload {
  readonly timeoutMs: number;
  readonly strategy: string;
}

/** `faultline:policy:bulkhead-rejected`. */
export interface BulkheadRejectedPayload {
  readonly reason: string;
  readonly executing: number;
  readonly queued: number;
}

/** `faultline:policy:rate-limited`. */
export interface RateLimitedPayload {
  readonly action: string;
  readonly waitMs: number;
}

/** `faultline:policy:loop-detected`. */
export interface LoopDetectedPayload {
  readonly key: string;
  readonly repetitions: number;
}

/** `faultline:policy:budget-exceeded`. */
export interface BudgetExceededPayload {
  readonly budget: string;
  readonly limit: number;
  readonly used: number;
}

/** `faultline:policy:budget-usage`. */
export interface BudgetUsagePayload {
  readonly tokens: number;
  readonly cost: number;
}

/** `faultline:policy:circuit-breaker-break`. */
export interface CircuitBreakPayload {
  readonly reason: string;
  readonly retryAfterMs: number;
  readonly failureCount: number;
}

/** `faultline:policy:circuit-breaker-reset`. */
export interface CircuitResetPayload {
  readonly reason: string;
}

/** `faultline:policy:circuit-breaker-state-change`. */
export interface CircuitStateChangePayload {
  readonly from: string;
  readonly to: string;
}

/** `faultline:faults:injected` (a scope's `InjectionRecord`). */
export interface InjectionPayload {
  readonly fault: string;
  readonly kind: string;
  readonly outcome: string;
  readonly target: { readonly operation?: unknown; readonly agent?: unknown };
  readonly effect: { readonly type?: unknown; readonly ms?: unknown };
}

/** `faultline:faults:kill-switch`. */
export interface KillSwitchPayload {
  readonly scope: string;
  readonly trigger: string;
  readonly detail: string;
}

/** `faultline:faults:stopped` (a scope's `ScopeStopRecord`). */
export interface ChaosStoppedPayload {
  readonly reason: string;
  readonly detail: string;
}

/** A payload whose fields are not trusted yet. */
export type Untrusted<T> = Readonly<Partial<Record<keyof T, unknown>>>;

/** The event of a channel message `{ source, event }`, fields untrusted. */
export function payload<T>(event: unknown): Untrusted<T> {
  return (typeof event === 'object' && event !== null ? event : {}) as Untrusted<T>;
}

/** `value` when it is a finite number. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** `value` when it is a string. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `JSON.stringify`, typed as what it really returns (`undefined` for functions, symbols, ...). */
function stringify(value: unknown): string | undefined {
  return JSON.stringify(value);
}

/** One short line for an error or any thrown value. */
export function errorText(error: unknown): string {
  let text: string;
  if (error instanceof Error) text = `${error.name}: ${error.message}`;
  else if (typeof error === 'string') text = error;
  else if (error === undefined) text = '';
  else {
    try {
      text = stringify(error) ?? typeof error;
    } catch {
      text = Object.prototype.toString.call(error);
    }
  }
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
