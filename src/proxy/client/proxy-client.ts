import { FaultlineError, hasCode } from '../../core/errors/faultline-error.ts';
import type {
  ApiErrorJson,
  ProxyInput,
  ProxyJson,
  ProxyUpdate,
  ToxicInput,
  ToxicJson,
  ToxicType,
  ToxicUpdate,
} from './types.ts';

/** An error response of the admin API (or a response that was not the API's). */
export class ProxyClientError extends FaultlineError {
  override readonly name = 'ProxyClientError';
  /** HTTP status of the response. */
  readonly status: number;
  /** The response body as received. */
  readonly body: string;

  constructor(message: string, status: number, body: string) {
    super('FL_PROXY_CLIENT', message, {});
    this.status = status;
    this.body = body;
  }
}

/** True when `error` is a {@link ProxyClientError} (matched by code `FL_PROXY_CLIENT`). */
export const isProxyClientError = hasCode<ProxyClientError>('FL_PROXY_CLIENT');

/** Options of a {@link ProxyClient}. */
export interface ProxyClientOptions {
  /**
   * The fetch to use (pass one that calls an admin handler directly to skip the socket).
   * @default globalThis.fetch
   */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
}

/**
 * A typed client of the admin API of `faultline proxy` (and of Toxiproxy itself, for the
 * Toxiproxy toxic types). It shares no code with the server.
 *
 * @example
 * ```ts
 * const api = new ProxyClient('http://127.0.0.1:8474');
 * await api.createProxy({ name: 'redis', listen: '127.0.0.1:26379', upstream: '127.0.0.1:6379' });
 * await api.addToxic('redis', { type: 'latency', attributes: { latency: 100, jitter: 10 } });
 * ```
 */
export class ProxyClient {
  readonly baseUrl: string;
  readonly #fetch: (input: string, init: RequestInit) => Promise<Response>;

  constructor(baseUrl = 'http://127.0.0.1:8474', options: ProxyClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The server's version string. */
  async version(): Promise<string> {
    const text = await this.#text('GET', '/version');
    try {
      return (JSON.parse(text) as { version: string }).version;
    } catch {
      return text.trim();
    }
  }

  /** Every proxy, by name. */
  proxies(): Promise<Record<string, ProxyJson>> {
    return this.#json('GET', '/proxies');
  }

  /** Creates a proxy (enabled unless `enabled: false`). */
  createProxy(input: ProxyInput): Promise<ProxyJson> {
    return this.#json('POST', '/proxies', input);
  }

  /** Creates or replaces proxies in bulk; unchanged ones are left alone. */
  async populate(inputs: readonly ProxyInput[]): Promise<ProxyJson[]> {
    const result = await this.#json<{ proxies: ProxyJson[] | null }>('POST', '/populate', inputs);
    return result.proxies ?? [];
  }

  /** One proxy. */
  proxy(name: string): Promise<ProxyJson> {
    return this.#json('GET', `/proxies/${encodeURIComponent(name)}`);
  }

  /** Changes a proxy's fields (uses POST, which Toxiproxy and faultline both accept). */
  updateProxy(name: string, update: ProxyUpdate): Promise<ProxyJson> {
    return this.#json('POST', `/proxies/${encodeURIComponent(name)}`, update);
  }

  /** Takes a proxy down: its listener closes and its connections drop. */
  disable(name: string): Promise<ProxyJson> {
    return this.updateProxy(name, { enabled: false });
  }

  /** Brings a proxy back up. */
  enable(name: string): Promise<ProxyJson> {
    return this.updateProxy(name, { enabled: true });
  }

  /** Deletes a proxy. */
  async deleteProxy(name: string): Promise<void> {
    await this.#text('DELETE', `/proxies/${encodeURIComponent(name)}`);
  }

  /** The toxics of a proxy. */
  toxics(proxy: string): Promise<ToxicJson[]> {
    return this.#json('GET', `/proxies/${encodeURIComponent(proxy)}/toxics`);
  }

  /** Adds a toxic; it applies to the proxy's open connections too. */
  addToxic<T extends ToxicType>(proxy: string, input: ToxicInput<T>): Promise<ToxicJson<T>> {
    return this.#json('POST', `/proxies/${encodeURIComponent(proxy)}/toxics`, input);
  }

  /** One toxic. */
  toxic(proxy: string, name: string): Promise<ToxicJson> {
    return this.#json(
      'GET',
      `/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(name)}`,
    );
  }

  /** Changes a toxic's toxicity or attributes (merged into the current ones). */
  updateToxic<T extends ToxicType = ToxicType>(
    proxy: string,
    name: string,
    update: ToxicUpdate<T>,
  ): Promise<ToxicJson<T>> {
    return this.#json(
      'POST',
      `/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(name)}`,
      update,
    );
  }

  /** Removes a toxic. */
  async removeToxic(proxy: string, name: string): Promise<void> {
    await this.#text(
      'DELETE',
      `/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(name)}`,
    );
  }

  /** Enables every proxy and removes every toxic. */
  async reset(): Promise<void> {
    await this.#text('POST', '/reset');
  }

  /** Prometheus metrics text. */
  metrics(): Promise<string> {
    return this.#text('GET', '/metrics');
  }

  async #json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const text = await this.#text(method, path, body);
    return JSON.parse(text) as T;
  }

  async #text(method: string, path: string, body?: unknown): Promise<string> {
    const headers: Record<string, string> = { 'user-agent': 'faultline-proxy-client' };
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const response = await this.#fetch(`${this.baseUrl}${path}`, init);
    const text = await response.text();
    if (response.status >= 200 && response.status < 300) return text;
    let message = `${method} ${path}: HTTP ${response.status}`;
    try {
      const error = JSON.parse(text) as Partial<ApiErrorJson>;
      if (typeof error.error === 'string') message += `: ${error.error}`;
    } catch {
      if (text.trim() !== '') message += `: ${text.trim().slice(0, 200)}`;
    }
    throw new ProxyClientError(message, response.status, text);
  }
}
