/** One log line of the proxy server: a level, a message, and structured fields. */
export interface ProxyLogEntry {
  readonly level: 'info' | 'warn' | 'error';
  /** What happened, e.g. `Added toxic`, `Started proxy`. */
  readonly message: string;
  /** The proxy concerned, when there is one. */
  readonly proxy?: string;
  /** Further fields (`toxic`, `listen`, `upstream`, `error`...). */
  readonly [field: string]: unknown;
}

/**
 * Receives the proxy server's log: every proxy and toxic change at `info`, upstream and
 * protocol trouble at `warn`.
 *
 * @example
 * ```ts
 * const logger: ProxyLogger = (e) => console.error(JSON.stringify(e));
 * ```
 */
export type ProxyLogger = (entry: ProxyLogEntry) => void;

/** A {@link ProxyLogger} that drops everything. */
export const silentProxyLogger: ProxyLogger = () => {
  // Nothing to do.
};
