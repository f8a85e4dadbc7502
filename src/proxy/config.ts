import { readFile } from 'node:fs/promises';
import { FaultlineError, hasCode } from '../core/errors/faultline-error.ts';
import type { ProxyInput } from './client/types.ts';
import type { ProxyRegistry } from './proxy-registry.ts';

/** A proxy config file that cannot be read, parsed or applied; the message names file and field. */
export class ProxyConfigError extends FaultlineError {
  override readonly name = 'ProxyConfigError';
  /** The config file. */
  readonly path: string;

  constructor(path: string, detail: string, options: { cause?: unknown } = {}) {
    super('FL_PROXY_CONFIG', `proxy config ${path}: ${detail}`, options);
    this.path = path;
  }
}

/** True when `error` is a {@link ProxyConfigError} (matched by code `FL_PROXY_CONFIG`). */
export const isProxyConfigError = hasCode<ProxyConfigError>('FL_PROXY_CONFIG');

/**
 * Loads a config file into `registry`: Toxiproxy's format, a JSON array of
 * `{"name", "listen", "upstream", "enabled"}`, where each proxy may also carry `"http": true`
 * and `"toxics": [{"type", "name", "stream", "toxicity", "attributes"}]`. Returns the number of
 * proxies; throws {@link ProxyConfigError} at the first problem.
 *
 * @example
 * ```json
 * [{ "name": "openai", "listen": "127.0.0.1:9000", "upstream": "api.openai.com:80", "http": true,
 *    "toxics": [{ "type": "openai_rate_limit", "toxicity": 0.2, "attributes": { "retry_after_ms": 500 } }] }]
 * ```
 */
export async function loadProxyConfig(registry: ProxyRegistry, path: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ProxyConfigError(path, `cannot read it (${(error as Error).message})`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (error) {
    throw new ProxyConfigError(path, `not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (!Array.isArray(json)) {
    throw new ProxyConfigError(path, 'expected a JSON array of proxies');
  }
  let result;
  try {
    result = await registry.populate(json as ProxyInput[]);
  } catch (error) {
    throw new ProxyConfigError(path, (error as Error).message, { cause: error });
  }
  if (result.error !== undefined) {
    throw new ProxyConfigError(path, result.error.message, { cause: result.error });
  }
  return result.proxies.length;
}
