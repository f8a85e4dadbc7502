import { lookup } from 'node:dns/promises';
import { createServer, isIP, type Socket } from 'node:net';
import type { Clock, Emitter, Random } from '../core/index.ts';
import { formatHostPort, isLoopbackHost, parseHostPort, type HostPort } from './address.ts';
import { ProxyApiError } from './api-error.ts';
import type { ProxyJson, ToxicJson, ToxicAttributesByType } from './client/types.ts';
import { Connection, type ConnectionBytes, type ConnectionOwner } from './connection.ts';
import type { ProxyLogger } from './logger.ts';
import { parseToxicInput, parseToxicUpdate, type ToxicEntry } from './toxic-schema.ts';

/** A bound listener, as returned by a {@link Binder}. */
export interface Listener {
  /** The address actually bound (the real port when 0 was asked). */
  readonly address: HostPort;
  close(): Promise<void>;
}

/**
 * Binds a listening socket and hands each accepted connection to `onConnection`. The default
 * uses `node:net`; tests of the admin API pass a fake so they open no socket.
 */
export type Binder = (
  host: string,
  port: number,
  onConnection: (socket: Socket) => void,
) => Promise<Listener>;

const bindErrors: Readonly<Record<string, string>> = {
  EADDRINUSE: 'bind: address already in use',
  EACCES: 'bind: permission denied',
  EADDRNOTAVAIL: 'bind: cannot assign requested address',
};

/** The default {@link Binder}: a `node:net` server with Nagle off and half-open sockets. */
export const netBinder: Binder = (host, port, onConnection) =>
  new Promise((resolve, reject) => {
    const server = createServer({ allowHalfOpen: true, noDelay: true }, onConnection);
    const sockets = new Set<Socket>();
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = bindErrors[error.code ?? ''] ?? error.message;
      reject(
        new ProxyApiError('listenFailed', `listen tcp ${formatHostPort(host, port)}: ${reason}`),
      );
    });
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const bound =
        address !== null && typeof address === 'object'
          ? { host: address.address, port: address.port }
          : { host, port };
      server.removeAllListeners('error');
      server.on('error', noop);
      resolve({
        address: bound,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => {
              done();
            });
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });

function noop(): void {
  // A listening server's later errors have nowhere to go; connections report their own.
}

/** What a {@link ChaosProxy} shares with its registry. */
export interface ProxyEnvironment {
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: ProxyLogger;
  readonly allowRemote: boolean;
  readonly bind: Binder;
  readonly changes: Emitter<ToxicChangeEvent>;
}

/** A toxic was added, updated or removed (published on `faultline:proxy:toxic`). */
export interface ToxicChangeEvent {
  readonly action: 'added' | 'updated' | 'removed';
  readonly proxy: string;
  readonly toxic: ToxicJson;
}

/** Resolves a listen address to the host to bind, enforcing loopback unless allowed otherwise. */
async function resolveListen(
  listen: HostPort,
  allowRemote: boolean,
  field: string,
): Promise<string> {
  let host = listen.host;
  if (host === '') host = allowRemote ? '0.0.0.0' : '127.0.0.1';
  else if (host.toLowerCase() === 'localhost') host = '127.0.0.1';
  else if (isIP(host) === 0) {
    try {
      host = (await lookup(host, { family: 4 })).address;
    } catch {
      throw new ProxyApiError(
        'invalidAddress',
        `${field}: cannot resolve host ${JSON.stringify(listen.host)}`,
      );
    }
  }
  if (!allowRemote && !isLoopbackHost(host)) {
    throw new ProxyApiError(
      'notLoopback',
      `${field} ${JSON.stringify(formatHostPort(listen.host, listen.port))}; start the server with allowRemote (--allow-remote) to listen elsewhere`,
    );
  }
  return host;
}

/** Byte totals of one direction of a proxy. */
export interface DirectionBytes {
  received: number;
  sent: number;
}

/**
 * One named proxy: a listener on `listen` forwarding each connection to `upstream` through the
 * proxy's toxics. Managed by a {@link ProxyRegistry}; its methods throw {@link ProxyApiError}s.
 *
 * Data flow of one connection (connect toxics act before the upstream is dialled; each
 * direction has its own chain, and a toxic's toxicity is drawn once per connection and
 * direction):
 *
 * ```
 *               accept            connect_delay            dial
 *  client ───────────▶ [listener] ─────────────▶ (wait) ─────────▶ upstream
 *
 *  TCP proxy, per connection:
 *    client ──▶ upstream link:   pipe, or [stage] ─▶ [stage] ─▶ …  ──▶ upstream
 *    client ◀── downstream link: pipe, or … ◀─ [stage] ◀─ [stage]  ◀── upstream
 *               (a link pipes directly while no toxic applies to it; see Link)
 *
 *  HTTP proxy ("http": true), per connection:
 *    client ──▶ request parser ─▶ plan ─┬─ forward ─▶ upstream link ──▶ upstream
 *                                       └─ answer (429, 5xx…) ─┐
 *    client ◀── downstream link ◀── output queue ◀── shaper ◀──┴── response parser ◀── upstream
 *               (slow first byte, truncation, JSON rewrites, SSE cuts and stalls; see HttpExchange)
 * ```
 *
 * Toxic changes reach open connections at once: stages are added, updated or removed (a removed
 * stage hands what it holds to the next), and HTTP toxics apply from the next request on.
 */
export class ChaosProxy {
  readonly name: string;
  #listen: string;
  #upstream: string;
  #upstreamAddress: HostPort;
  #enabled = false;
  #http: boolean;
  #toxics: ToxicEntry[] = [];
  readonly #env: ProxyEnvironment;
  readonly #random: Random;
  readonly #connections = new Set<Connection>();
  #listener: Listener | undefined;
  #nextId = 0;
  #connectionsTotal = 0;
  readonly #closedBytes: ConnectionBytes = {
    upstreamReceived: 0,
    upstreamSent: 0,
    downstreamReceived: 0,
    downstreamSent: 0,
  };
  readonly #owner: ConnectionOwner;

  /** Use {@link ProxyRegistry.create}. @internal */
  constructor(
    env: ProxyEnvironment,
    input: { name: string; listen: string; upstream: string; http: boolean },
  ) {
    this.#env = env;
    this.name = input.name;
    this.#listen = input.listen;
    this.#upstream = input.upstream;
    this.#upstreamAddress = parseHostPort(input.upstream, 'upstream');
    this.#http = input.http;
    this.#random = env.random.fork(`proxy:${input.name}`);
    this.#owner = {
      name: input.name,
      clock: env.clock,
      isHttp: () => this.#http,
      upstreamAddress: () => this.#upstreamAddress,
      toxics: () => this.#toxics,
      connectionRandom: (id: number) => this.#random.fork(`connection:${id}`),
      closed: (connection: Connection) => {
        this.#connections.delete(connection);
        const bytes = connection.bytes();
        const total = this.#closedBytes;
        total.upstreamReceived += bytes.upstreamReceived;
        total.upstreamSent += bytes.upstreamSent;
        total.downstreamReceived += bytes.downstreamReceived;
        total.downstreamSent += bytes.downstreamSent;
      },
      warn: (message: string, fields?: Record<string, unknown>) => {
        env.logger({ level: 'warn', message, proxy: this.name, ...fields });
      },
    };
  }

  /** The listen address: the bound one while enabled (Toxiproxy reports it so). */
  get listen(): string {
    return this.#listen;
  }

  get upstream(): string {
    return this.#upstream;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** True when the proxy parses HTTP, so HTTP toxics apply. */
  get http(): boolean {
    return this.#http;
  }

  /** The bound port while enabled, else `undefined`. */
  get port(): number | undefined {
    return this.#listener?.address.port;
  }

  /** The proxy's toxics, in chain order. */
  get toxics(): readonly ToxicEntry[] {
    return this.#toxics;
  }

  /** Open connections and the mode of each direction (`direct` = plain pipe). */
  connections(): { id: number; upstream: string; downstream: string }[] {
    return [...this.#connections].map((c) => ({ id: c.id, ...c.modes }));
  }

  /** Connections accepted since the proxy was created. */
  get connectionsTotal(): number {
    return this.#connectionsTotal;
  }

  /** Byte totals per direction (closed and open connections). */
  bytes(): { upstream: DirectionBytes; downstream: DirectionBytes } {
    const t = { ...this.#closedBytes };
    for (const connection of this.#connections) {
      const b = connection.bytes();
      t.upstreamReceived += b.upstreamReceived;
      t.upstreamSent += b.upstreamSent;
      t.downstreamReceived += b.downstreamReceived;
      t.downstreamSent += b.downstreamSent;
    }
    return {
      upstream: { received: t.upstreamReceived, sent: t.upstreamSent },
      downstream: { received: t.downstreamReceived, sent: t.downstreamSent },
    };
  }

  /** Binds the listener and accepts connections. @internal */
  async start(): Promise<void> {
    if (this.#enabled) return;
    const listen = parseHostPort(this.#listen, 'listen');
    const host = await resolveListen(listen, this.#env.allowRemote, 'listen');
    this.#listener = await this.#env.bind(host, listen.port, this.#accept);
    this.#listen = formatHostPort(this.#listener.address.host, this.#listener.address.port);
    this.#enabled = true;
    this.#env.logger({
      level: 'info',
      message: 'Started proxy',
      proxy: this.name,
      listen: this.#listen,
      upstream: this.#upstream,
    });
  }

  /** Closes the listener and drops every connection. @internal */
  async stop(): Promise<void> {
    if (!this.#enabled) return;
    this.#enabled = false;
    for (const connection of this.#connections) connection.destroy();
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.close();
    this.#env.logger({ level: 'info', message: 'Terminated proxy', proxy: this.name });
  }

  /**
   * True when `listen`/`upstream`/`http` differ from the current ones (which restarts the proxy).
   * @internal
   */
  async differs(input: { listen: string; upstream: string; http: boolean }): Promise<boolean> {
    if (input.upstream !== this.#upstream || input.http !== this.#http) return true;
    if (input.listen === this.#listen) return false;
    const next = parseHostPort(input.listen, 'listen');
    const host = await resolveListen(next, this.#env.allowRemote, 'listen');
    return formatHostPort(host, next.port) !== this.#listen;
  }

  /** Changes listen/upstream/http (restarting when they differ) and enables or disables. @internal */
  async update(input: {
    listen: string;
    upstream: string;
    http: boolean;
    enabled: boolean;
  }): Promise<void> {
    const upstreamAddress = parseHostPort(input.upstream, 'upstream');
    parseHostPort(input.listen, 'listen');
    if (await this.differs(input)) {
      const wasEnabled = this.#enabled;
      await this.stop();
      this.#listen = input.listen;
      this.#upstream = input.upstream;
      this.#upstreamAddress = upstreamAddress;
      this.#http = input.http;
      if (wasEnabled && input.enabled) {
        await this.start();
        return;
      }
    }
    if (input.enabled !== this.#enabled) {
      if (input.enabled) await this.start();
      else await this.stop();
    }
  }

  /** Finds a toxic by name. @internal */
  toxic(name: string): ToxicEntry {
    const entry = this.#toxics.find((t) => t.name === name);
    if (entry === undefined) throw new ProxyApiError('toxicNotFound');
    return entry;
  }

  /** Adds a toxic from an API body; applies it to live connections. @internal */
  addToxic(body: unknown): ToxicEntry {
    const entry = parseToxicInput(body);
    if (this.#toxics.some((t) => t.name === entry.name)) {
      throw new ProxyApiError('toxicAlreadyExists');
    }
    if (entry.kind === 'http' && !this.#http) {
      throw new ProxyApiError(
        'needsHttpProxy',
        `${entry.type} on proxy ${JSON.stringify(this.name)}`,
      );
    }
    this.#toxics = [...this.#toxics, entry];
    this.#syncConnections();
    this.#changed('added', entry);
    return entry;
  }

  /** Updates a toxic's toxicity and attributes from an API body. @internal */
  updateToxic(name: string, body: unknown): ToxicEntry {
    const entry = this.toxic(name);
    const { toxicity, attributes } = parseToxicUpdate(body, entry);
    entry.toxicity = toxicity;
    entry.attributes = attributes;
    entry.version++;
    this.#syncConnections();
    this.#changed('updated', entry);
    return entry;
  }

  /** Removes a toxic; live connections flush what it held. @internal */
  removeToxic(name: string): void {
    const entry = this.toxic(name);
    this.#toxics = this.#toxics.filter((t) => t !== entry);
    this.#syncConnections();
    this.#changed('removed', entry);
  }

  /** Removes every toxic. @internal */
  resetToxics(): void {
    if (this.#toxics.length === 0) return;
    const removed = this.#toxics;
    this.#toxics = [];
    this.#syncConnections();
    for (const entry of removed) {
      this.#changed('removed', entry);
    }
  }

  /** The proxy as the API shows it. */
  toJSON(): ProxyJson {
    const json: ProxyJson = {
      name: this.name,
      listen: this.#listen,
      upstream: this.#upstream,
      enabled: this.#enabled,
      Logger: {},
      toxics: this.toxicsJson(),
    };
    if (this.#http) {
      const { Logger, toxics, ...head } = json;
      return { ...head, http: true, Logger, toxics };
    }
    return json;
  }

  /** Toxics as the API lists them: upstream ones first, then downstream, each in chain order. */
  toxicsJson(): ToxicJson[] {
    const list = this.#toxics.filter((t) => t.stream === 'upstream');
    for (const t of this.#toxics) if (t.stream === 'downstream') list.push(t);
    return list.map(toxicJson);
  }

  #changed(action: ToxicChangeEvent['action'], entry: ToxicEntry): void {
    const toxic = toxicJson(entry);
    const verb = action === 'added' ? 'Added' : action === 'updated' ? 'Updated' : 'Removed';
    this.#env.logger({ level: 'info', message: `${verb} toxic`, proxy: this.name, toxic });
    if (this.#env.changes.active) this.#env.changes.emit({ action, proxy: this.name, toxic });
  }

  readonly #accept = (socket: Socket): void => {
    if (!this.#enabled) {
      socket.destroy();
      return;
    }
    this.#connectionsTotal++;
    const connection = new Connection(this.#owner, this.#nextId++, socket);
    this.#connections.add(connection);
    connection.open();
  };

  #syncConnections(): void {
    for (const connection of this.#connections) connection.sync();
  }
}

/** A toxic entry as the API shows it. */
export function toxicJson(entry: ToxicEntry): ToxicJson {
  return {
    attributes: entry.attributes as unknown as ToxicAttributesByType[typeof entry.type],
    name: entry.name,
    type: entry.type,
    stream: entry.stream,
    toxicity: entry.toxicity,
  };
}
