import {
  channelNames,
  Emitter,
  randomSeeded,
  realClock,
  type Clock,
  type Event,
  type Random,
} from '../core/index.ts';
import { assertFunction } from '../core/options.ts';
import { parseHostPort } from './address.ts';
import { ProxyApiError } from './api-error.ts';
import {
  ChaosProxy,
  netBinder,
  type Binder,
  type ProxyEnvironment,
  type ToxicChangeEvent,
} from './chaos-proxy.ts';
import type { ProxyInput, ProxyUpdate, ToxicInput, ToxicUpdate } from './client/types.ts';
import { silentProxyLogger, type ProxyLogger } from './logger.ts';
import type { ToxicEntry } from './toxic-schema.ts';

/** Options of a {@link ProxyRegistry}. */
export interface ProxyRegistryOptions {
  /**
   * Time source of every toxic (delays, rates, timeouts).
   * @default realClock
   */
  clock?: Clock;
  /**
   * Randomness of toxicity draws, jitter and slicing; each proxy and connection forks its own
   * stream, so a seed replays the same draws for the same connection order.
   * @default randomSeeded()
   */
  random?: Random;
  /**
   * Receives every proxy and toxic change.
   * @default silentProxyLogger
   */
  logger?: ProxyLogger;
  /**
   * Allow proxies to listen on non-loopback addresses.
   * @default false
   */
  allowRemote?: boolean;
  /**
   * How listeners are bound (tests substitute a fake).
   * @default netBinder
   */
  bind?: Binder;
}

/** Default listen address: a free port on loopback. */
const DEFAULT_LISTEN = '127.0.0.1:0';
const NAME_MAX = 256;

interface CheckedProxy {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  http: boolean;
  toxics: unknown[] | undefined;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

function field<T>(
  body: Record<string, unknown>,
  key: string,
  type: 'string' | 'boolean',
  fallback: T,
  where: string,
): T | string | boolean {
  const value = body[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== type) {
    throw new ProxyApiError(
      'badRequestBody',
      `${key}${where} must be a ${type}, got ${describe(value)}`,
    );
  }
  return value as string | boolean;
}

function asObject(body: unknown, what: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ProxyApiError(
      'badRequestBody',
      `${what} must be a JSON object, got ${describe(body)}`,
    );
  }
  return body as Record<string, unknown>;
}

/** Validates a proxy-creation body (`where` locates it in a list, e.g. ` at proxy 2`). */
function checkProxyInput(raw: unknown, where = ''): CheckedProxy {
  const body = asObject(raw, `proxy${where}`);
  const name = field(body, 'name', 'string', '', where) as string;
  if (name === '') throw new ProxyApiError('missingField', `name${where}`);
  if (name.length > NAME_MAX) {
    throw new ProxyApiError('badRequestBody', `name${where} is longer than ${NAME_MAX} characters`);
  }
  const upstream = field(body, 'upstream', 'string', '', where) as string;
  if (upstream === '') throw new ProxyApiError('missingField', `upstream${where}`);
  parseHostPort(upstream, `upstream${where}`);
  const listen = (field(body, 'listen', 'string', '', where) as string) || DEFAULT_LISTEN;
  parseHostPort(listen, `listen${where}`);
  const toxics = body['toxics'];
  if (toxics !== undefined && toxics !== null && !Array.isArray(toxics)) {
    throw new ProxyApiError(
      'badRequestBody',
      `toxics${where} must be an array, got ${describe(toxics)}`,
    );
  }
  return {
    name,
    listen,
    upstream,
    enabled: field(body, 'enabled', 'boolean', true, where) as boolean,
    http: field(body, 'http', 'boolean', false, where) as boolean,
    toxics: toxics ?? undefined,
  };
}

/**
 * The set of named proxies behind the admin API, also usable directly from code. Every method
 * validates its input like the API does and throws {@link ProxyApiError}s; changes are applied
 * one at a time, in call order.
 *
 * @example
 * ```ts
 * const registry = new ProxyRegistry();
 * const redis = await registry.create({ name: 'redis', upstream: '127.0.0.1:6379' });
 * registry.addToxic('redis', { type: 'latency', attributes: { latency: 100 } });
 * ```
 */
export class ProxyRegistry {
  readonly #env: ProxyEnvironment;
  readonly #changes = new Emitter<ToxicChangeEvent>(channelNames.proxyToxicChange);
  readonly #proxies = new Map<string, ChaosProxy>();
  /** Every toxic added, updated or removed, on any proxy (also on `faultline:proxy:toxic`). */
  readonly onToxicChange: Event<ToxicChangeEvent> = this.#changes.event;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: ProxyRegistryOptions = {}) {
    const logger = options.logger ?? silentProxyLogger;
    assertFunction('ProxyRegistry', 'logger', logger);
    this.#env = {
      clock: options.clock ?? realClock,
      random: options.random ?? randomSeeded(),
      logger,
      allowRemote: options.allowRemote ?? false,
      bind: options.bind ?? netBinder,
      changes: this.#changes,
    };
  }

  /** The proxy named `name`; throws a 404 {@link ProxyApiError} when there is none. */
  get(name: string): ChaosProxy {
    const proxy = this.#proxies.get(name);
    if (proxy === undefined) throw new ProxyApiError('proxyNotFound');
    return proxy;
  }

  /** Every proxy, sorted by name. */
  list(): ChaosProxy[] {
    return [...this.#proxies.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  }

  /** Creates a proxy (409 when the name is taken) and starts it unless `enabled: false`. */
  create(input: ProxyInput): Promise<ChaosProxy> {
    return this.#serial(async () => {
      const checked = checkProxyInput(input);
      if (this.#proxies.has(checked.name)) throw new ProxyApiError('proxyAlreadyExists');
      const proxy = new ChaosProxy(this.#env, checked);
      this.#addToxics(proxy, checked.toxics, '');
      if (checked.enabled) await proxy.start();
      this.#proxies.set(proxy.name, proxy);
      return proxy;
    });
  }

  /** Updates a proxy; missing fields keep their values. Changing listen/upstream/http restarts it. */
  update(name: string, input: ProxyUpdate): Promise<ChaosProxy> {
    return this.#serial(async () => {
      const proxy = this.get(name);
      const body = asObject(input, 'a proxy update');
      const listen = field(body, 'listen', 'string', proxy.listen, '') as string;
      const upstream = field(body, 'upstream', 'string', proxy.upstream, '') as string;
      const enabled = field(body, 'enabled', 'boolean', proxy.enabled, '') as boolean;
      const http = field(body, 'http', 'boolean', proxy.http, '') as boolean;
      await proxy.update({ listen: listen || DEFAULT_LISTEN, upstream, enabled, http });
      if (!proxy.http && proxy.toxics.some((t) => t.kind === 'http')) {
        for (const t of proxy.toxics) if (t.kind === 'http') proxy.removeToxic(t.name);
      }
      this.#env.logger({
        level: 'info',
        message: 'Updated proxy',
        proxy: name,
        enabled: proxy.enabled,
      });
      return proxy;
    });
  }

  /** Stops and removes a proxy. */
  remove(name: string): Promise<void> {
    return this.#serial(async () => {
      const proxy = this.get(name);
      this.#proxies.delete(name);
      await proxy.stop();
      this.#env.logger({ level: 'info', message: 'Removed proxy', proxy: name });
    });
  }

  /**
   * Creates or replaces a list of proxies (Toxiproxy's `/populate` and config files): an
   * existing proxy with the same listen, upstream and http setting is kept as it is. Entries
   * with `toxics` get exactly those toxics. Validates every entry before touching anything;
   * stops at the first failure, returning what was done and the error.
   */
  populate(
    inputs: readonly ProxyInput[],
  ): Promise<{ proxies: ChaosProxy[]; error: ProxyApiError | undefined }> {
    return this.#serial(async () => {
      if (!Array.isArray(inputs)) {
        throw new ProxyApiError(
          'badRequestBody',
          `expected a JSON array of proxies, got ${describe(inputs)}`,
        );
      }
      const checked = inputs.map((input, i) => checkProxyInput(input, ` at proxy ${i + 1}`));
      const done: ChaosProxy[] = [];
      for (const [i, entry] of checked.entries()) {
        try {
          done.push(await this.#addOrReplace(entry, ` at proxy ${i + 1}`));
        } catch (error) {
          if (error instanceof ProxyApiError) return { proxies: done, error };
          throw error;
        }
      }
      return { proxies: done, error: undefined };
    });
  }

  /** Enables every proxy and removes every toxic (Toxiproxy's `/reset`). */
  reset(): Promise<void> {
    return this.#serial(async () => {
      for (const proxy of this.list()) {
        await proxy.start();
        proxy.resetToxics();
      }
      this.#env.logger({ level: 'info', message: 'Reset all proxies' });
    });
  }

  /** Adds a toxic to a proxy; it applies to open connections at once. */
  addToxic(proxy: string, input: ToxicInput): ToxicEntry {
    return this.get(proxy).addToxic(input);
  }

  /** Updates a toxic's toxicity and attributes (attributes merge into the current ones). */
  updateToxic(proxy: string, toxic: string, input: ToxicUpdate): ToxicEntry {
    return this.get(proxy).updateToxic(toxic, input);
  }

  /** Removes a toxic; what it held is delivered, never dropped (except a timeout's drops). */
  removeToxic(proxy: string, toxic: string): void {
    this.get(proxy).removeToxic(toxic);
  }

  /** Stops every proxy and drops every connection. */
  close(): Promise<void> {
    return this.#serial(async () => {
      const proxies = [...this.#proxies.values()];
      this.#proxies.clear();
      await Promise.all(proxies.map((p) => p.stop()));
    });
  }

  /** Prometheus text exposition of byte and connection counters (Toxiproxy's metric names). */
  metrics(): string {
    const lines: string[] = [];
    const label = (v: string): string =>
      v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    const metric = (name: string, help: string, type: string, rows: [string, number][]): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of rows) lines.push(`${name}{${labels}} ${value}`);
    };
    const received: [string, number][] = [];
    const sent: [string, number][] = [];
    const total: [string, number][] = [];
    const active: [string, number][] = [];
    for (const proxy of this.list()) {
      const bytes = proxy.bytes();
      for (const direction of ['upstream', 'downstream'] as const) {
        const labels = `direction="${direction}",listener="${label(proxy.listen)}",proxy="${label(proxy.name)}",upstream="${label(proxy.upstream)}"`;
        received.push([labels, bytes[direction].received]);
        sent.push([labels, bytes[direction].sent]);
      }
      total.push([`proxy="${label(proxy.name)}"`, proxy.connectionsTotal]);
      active.push([`proxy="${label(proxy.name)}"`, proxy.connections().length]);
    }
    metric(
      'toxiproxy_proxy_received_bytes_total',
      'The total bytes received from the source',
      'counter',
      received,
    );
    metric(
      'toxiproxy_proxy_sent_bytes_total',
      'The total bytes sent to the destination',
      'counter',
      sent,
    );
    metric('faultline_proxy_connections_total', 'Connections accepted', 'counter', total);
    metric('faultline_proxy_active_connections', 'Connections open now', 'gauge', active);
    return `${lines.join('\n')}\n`;
  }

  async #addOrReplace(entry: CheckedProxy, where: string): Promise<ChaosProxy> {
    const existing = this.#proxies.get(entry.name);
    if (existing !== undefined) {
      if (!(await existing.differs(entry))) {
        if (entry.toxics !== undefined) {
          existing.resetToxics();
          this.#addToxics(existing, entry.toxics, where);
        }
        return existing;
      }
      this.#proxies.delete(entry.name);
      await existing.stop();
    }
    const proxy = new ChaosProxy(this.#env, entry);
    this.#addToxics(proxy, entry.toxics, where);
    if (entry.enabled) await proxy.start();
    this.#proxies.set(proxy.name, proxy);
    return proxy;
  }

  #addToxics(proxy: ChaosProxy, toxics: unknown[] | undefined, where: string): void {
    for (const [i, toxic] of (toxics ?? []).entries()) {
      try {
        proxy.addToxic(toxic);
      } catch (error) {
        if (error instanceof ProxyApiError) {
          throw new ProxyApiError(
            error.kind,
            `${error.detail ?? ''}${error.detail === undefined ? '' : ' '}(toxic ${i + 1}${where})`,
          );
        }
        throw error;
      }
    }
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(noop);
    return run;
  }
}

function noop(): void {
  // The caller handles the rejection.
}
