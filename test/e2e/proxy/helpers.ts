import { readdirSync } from 'node:fs';
import {
  connect as netConnect,
  createServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { createRandom } from '../../../src/core/index.ts';
import {
  ProxyClient,
  startProxyServer,
  type ProxyLogEntry,
  type ProxyServer,
} from '../../../src/proxy/index.ts';

/** Milliseconds since some fixed point (tests may read the real clock). */
export const now = (): number => performance.now();

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Open file descriptors of this process. */
export const fdCount = (): number => readdirSync('/proc/self/fd').length;

export interface Harness {
  server: ProxyServer;
  api: ProxyClient;
  logs: ProxyLogEntry[];
  close(): Promise<void>;
}

/** A proxy server on a free loopback port, with a seeded random and a captured log. */
export async function startHarness(seed = 1): Promise<Harness> {
  const logs: ProxyLogEntry[] = [];
  const server = await startProxyServer({
    port: 0,
    random: createRandom(seed),
    logger: (e) => logs.push(e),
  });
  return { server, api: new ProxyClient(server.url), logs, close: () => server.close() };
}

export interface TcpServer {
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** A TCP server on a free loopback port that destroys its sockets on close. */
export async function tcpServer(onConnection: (socket: Socket) => void): Promise<TcpServer> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Echoes everything; ends its side when the client ends. */
export const echoServer = (): Promise<TcpServer> =>
  tcpServer((socket) => {
    socket.pipe(socket);
  });

/** Sends `bytes` bytes (in one write) to every client, then ends. */
export const sourceServer = (bytes: number): Promise<TcpServer> =>
  tcpServer((socket) => {
    socket.end(Buffer.alloc(bytes, 0x61));
  });

/** Connects to a loopback port. */
export function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ port, host: '127.0.0.1', noDelay: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Everything a socket receives, with arrival times, and how it ended. */
export interface Recording {
  chunks: { at: number; data: Buffer }[];
  data(): Buffer;
  /** Resolves when the socket closes: with the end time and the error, if any. */
  closed: Promise<{
    at: number;
    endAt: number | undefined;
    error: NodeJS.ErrnoException | undefined;
  }>;
  /** Resolves once at least `n` bytes arrived. */
  bytes(n: number): Promise<number>;
}

export function record(socket: Socket): Recording {
  const chunks: { at: number; data: Buffer }[] = [];
  let total = 0;
  let error: NodeJS.ErrnoException | undefined;
  let endAt: number | undefined;
  const waiters: { n: number; resolve: (at: number) => void }[] = [];
  socket.on('data', (data: Buffer) => {
    const at = now();
    chunks.push({ at, data });
    total += data.length;
    for (const waiter of [...waiters]) {
      if (total >= waiter.n) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(at);
      }
    }
  });
  socket.on('end', () => {
    endAt = now();
  });
  socket.on('error', (e: NodeJS.ErrnoException) => {
    error = e;
  });
  const closed = new Promise<{
    at: number;
    endAt: number | undefined;
    error: NodeJS.ErrnoException | undefined;
  }>((resolve) => {
    socket.on('close', () => {
      resolve({ at: now(), endAt, error });
    });
  });
  return {
    chunks,
    data: () => Buffer.concat(chunks.map((c) => c.data)),
    closed,
    bytes: (n) =>
      total >= n
        ? Promise.resolve(now())
        : new Promise((resolve) => {
            waiters.push({ n, resolve });
          }),
  };
}

/** Port of a proxy's `listen` (`127.0.0.1:1234` → 1234). */
export const portOf = (listen: string): number => Number(listen.slice(listen.lastIndexOf(':') + 1));

/** Round trip of `message` through an echoing connection, in ms. */
export async function roundTrip(socket: Socket, rec: Recording, message: string): Promise<number> {
  const already = rec.data().length;
  const start = now();
  socket.write(message);
  const at = await rec.bytes(already + Buffer.byteLength(message));
  return at - start;
}
