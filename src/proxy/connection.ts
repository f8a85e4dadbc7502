import { connect, type Socket } from 'node:net';
import type { Clock, Random, TimerHandle } from '../core/index.ts';
import type { HostPort } from './address.ts';
import { HttpExchange } from './http/http-exchange.ts';
import { Link, Valve } from './link.ts';
import type { ToxicEntry } from './toxic-schema.ts';

/** What a {@link Connection} needs from its proxy. */
export interface ConnectionOwner {
  readonly name: string;
  readonly clock: Clock;
  /** Parse HTTP on this connection. */
  isHttp(): boolean;
  upstreamAddress(): HostPort;
  /** The proxy's toxics, in order. */
  toxics(): readonly ToxicEntry[];
  /** The random stream of connection `id` (a fork of the proxy's). */
  connectionRandom(id: number): Random;
  /** The connection has closed both sockets. */
  closed(connection: Connection): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Byte counts of a connection, for `/metrics`. */
export interface ConnectionBytes {
  /** Read from the client. */
  upstreamReceived: number;
  /** Written to the upstream. */
  upstreamSent: number;
  /** Read from the upstream. */
  downstreamReceived: number;
  /** Written to the client. */
  downstreamSent: number;
}

const EXCHANGE_PRESSURE = 2;
const CLOSE_GRACE_MS = 5000;

function destroyWhenFlushed(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.writableFinished) socket.destroy();
  else socket.once('finish', () => socket.destroy());
}

function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

/**
 * One client connection through a proxy: the client socket, the upstream socket, a
 * {@link Link} per direction and, on HTTP proxies, an {@link HttpExchange} feeding the links.
 */
export class Connection {
  readonly id: number;
  readonly client: Socket;
  readonly #owner: ConnectionOwner;
  #upstream: Socket | undefined;
  #up: Link | undefined;
  #down: Link | undefined;
  #exchange: HttpExchange | undefined;
  #closing = false;
  #finalized = false;
  #openSockets = 1;
  #random: Random | undefined;
  #delayTimer: TimerHandle | undefined;
  #graceTimer: TimerHandle | undefined;
  readonly #draws = new Map<ToxicEntry, { toxicity: number; applies: boolean }>();

  constructor(owner: ConnectionOwner, id: number, client: Socket) {
    this.#owner = owner;
    this.id = id;
    this.client = client;
    client.on('error', noop);
    client.on('close', (hadError: boolean) => {
      this.#onSocketClose(client, hadError);
    });
  }

  get clock(): Clock {
    return this.#owner.clock;
  }

  get closing(): boolean {
    return this.#closing;
  }

  random(): Random {
    return (this.#random ??= this.#owner.connectionRandom(this.id));
  }

  /** Mode of each direction: `direct` (plain pipe), `chain` (toxics or HTTP), `idle` (not connected). */
  get modes(): { upstream: string; downstream: string } {
    return { upstream: this.#up?.mode ?? 'idle', downstream: this.#down?.mode ?? 'idle' };
  }

  /** Dials the upstream (after any connect delay) and starts moving data. */
  open(): void {
    let delay = 0;
    for (const entry of this.#owner.toxics()) {
      if (entry.kind === 'connect' && this.#applies(entry, 'connect')) {
        delay += entry.attributes['delay'] as number;
      }
    }
    if (delay > 0) {
      this.#delayTimer = this.clock.setTimer(delay, () => {
        this.#delayTimer = undefined;
        this.#dial();
      });
    } else {
      this.#dial();
    }
  }

  /** Applies the proxy's current toxics (called on every toxic change). */
  sync(): void {
    if (this.#closing) return;
    const toxics = this.#owner.toxics();
    this.#up?.sync(toxics);
    this.#down?.sync(toxics);
    this.#exchange?.sync();
  }

  /** A toxic closed the connection: flush what was written, FIN both peers, then let go. */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#halt();
    for (const socket of [this.client, this.#upstream]) {
      if (socket === undefined || socket.destroyed) continue;
      socket.end();
      socket.resume();
      destroyWhenFlushed(socket);
    }
    this.#graceTimer = this.clock.setTimer(CLOSE_GRACE_MS, () => {
      this.#graceTimer = undefined;
      this.destroy();
    });
  }

  /** A toxic resets the connection: both peers get a TCP RST. */
  reset(): void {
    this.#closing = true;
    this.#halt();
    resetSocket(this.client);
    if (this.#upstream !== undefined) resetSocket(this.#upstream);
  }

  /** Drops both sockets now (proxy disabled, removed or shut down). */
  destroy(): void {
    this.#closing = true;
    this.#halt();
    this.client.destroy();
    this.#upstream?.destroy();
  }

  /** Bytes moved so far in each direction. */
  bytes(): ConnectionBytes {
    const upstream = this.#upstream;
    return {
      upstreamReceived: this.client.bytesRead,
      upstreamSent: upstream?.bytesWritten ?? 0,
      downstreamReceived: upstream?.bytesRead ?? 0,
      downstreamSent: this.client.bytesWritten,
    };
  }

  #applies(entry: ToxicEntry, label: string): boolean {
    const toxicity = entry.toxicity;
    let draw = this.#draws.get(entry);
    if (draw?.toxicity !== toxicity) {
      const applies =
        toxicity >= 1
          ? true
          : toxicity <= 0
            ? false
            : this.random().fork(`${label}/${entry.name}`).chance(toxicity);
      draw = { toxicity, applies };
      this.#draws.set(entry, draw);
    }
    return draw.applies;
  }

  #dial(): void {
    if (this.#closing || this.client.destroyed) return;
    const { host, port } = this.#owner.upstreamAddress();
    const upstream = connect({ host, port, noDelay: true, allowHalfOpen: true });
    this.#upstream = upstream;
    this.#openSockets++;
    let connected = false;
    upstream.on('error', (error: Error) => {
      if (connected) return;
      this.#owner.warn('Unable to open connection to upstream', {
        client: `${this.client.remoteAddress ?? ''}:${this.client.remotePort ?? ''}`,
        upstream: `${host}:${port}`,
        error: error.message,
      });
      this.client.destroy();
    });
    upstream.on('close', (hadError: boolean) => {
      this.#onSocketClose(upstream, hadError);
    });
    upstream.once('connect', () => {
      connected = true;
      this.#start(upstream);
    });
  }

  #start(upstream: Socket): void {
    if (this.#closing) return;
    const client = this.client;
    const clientValve = new Valve(client);
    const upstreamValve = new Valve(upstream);
    const feed = this.#owner.isHttp() ? 'external' : 'source';
    const up = new Link(this, 'upstream', client, upstream, clientValve, feed);
    const down = new Link(this, 'downstream', upstream, client, upstreamValve, feed);
    this.#up = up;
    this.#down = down;
    const toxics = this.#owner.toxics();
    if (this.#owner.isHttp()) {
      const owner = this.#owner;
      this.#exchange = new HttpExchange(
        {
          clock: this.clock,
          random: () => this.random(),
          toxics: () => owner.toxics(),
          applies: (entry) => this.#applies(entry, 'http'),
          toServer: (chunk) => {
            up.write(chunk);
          },
          endToServer: () => {
            up.end('eof');
          },
          toClient: (chunk) => {
            down.write(chunk);
          },
          endToClient: () => {
            down.end('eof');
          },
          close: () => {
            // The close travels behind the data already queued, unless the direction is over.
            if (down.ended) this.close();
            else down.end('close');
          },
          pressure: (on) => {
            upstreamValve.set(EXCHANGE_PRESSURE, on);
          },
          warn: (message) => {
            owner.warn(message, { connection: this.id });
          },
        },
        client,
        upstream,
      );
    }
    up.start(toxics);
    down.start(toxics);
    this.#exchange?.start();
  }

  #halt(): void {
    if (this.#delayTimer !== undefined) this.clock.clearTimer(this.#delayTimer);
    this.#delayTimer = undefined;
    this.#exchange?.halt();
    this.#up?.halt();
    this.#down?.halt();
  }

  #onSocketClose(socket: Socket, hadError: boolean): void {
    const other = socket === this.client ? this.#upstream : this.client;
    if (other !== undefined && !other.destroyed) {
      if (hadError) resetSocket(other);
      else if (other.writableEnded) destroyWhenFlushed(other);
      else other.destroy();
    }
    this.#openSockets--;
    if (this.#openSockets > 0 || this.#finalized) return;
    this.#finalized = true;
    this.#closing = true;
    this.#halt();
    if (this.#graceTimer !== undefined) this.clock.clearTimer(this.#graceTimer);
    this.#graceTimer = undefined;
    this.#owner.closed(this);
  }
}

function noop(): void {
  // Errors are handled through 'close'.
}
