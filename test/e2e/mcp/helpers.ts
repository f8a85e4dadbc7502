import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

export const root = resolve(import.meta.dirname, '../../..');

/** The entry point of a reference MCP server installed from npm. */
export const serverBin = (name: 'everything' | 'memory' | 'filesystem'): string =>
  join(root, 'node_modules/@modelcontextprotocol', `server-${name}`, 'dist/index.js');

/** The `faultline` command, whose `mcp-proxy` subcommand runs the proxy. */
export const faultlineBin = join(root, 'bin/faultline.js');

/** A fresh temporary directory, removed by `cleanup()`. */
export function tempDir(): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'faultline-mcp-'));
  return {
    path,
    cleanup: () => {
      rmSync(path, { recursive: true, force: true });
    },
  };
}

export interface ProxiedClient {
  client: Client;
  transport: StdioClientTransport;
  /** Everything the proxy (and the server) wrote to stderr so far. */
  stderr: () => string;
  /** Resolves when the proxy process has exited. */
  exited: Promise<void>;
  close: () => Promise<void>;
}

/**
 * Starts the chaos proxy as a real child process (the MCP client spawns it exactly as it would
 * spawn the server) and connects the SDK's own client to it.
 */
export async function connectThroughProxy(options: {
  config?: object;
  proxyArgs?: readonly string[];
  server?: readonly string[];
  env?: Record<string, string>;
}): Promise<ProxiedClient> {
  const dir = tempDir();
  const args = [faultlineBin, 'mcp-proxy'];
  if (options.config !== undefined) {
    const path = join(dir.path, 'faults.json');
    writeFileSync(path, JSON.stringify(options.config));
    args.push('--config', path);
  }
  args.push(...(options.proxyArgs ?? []));
  if (options.server !== undefined) args.push('--', process.execPath, ...options.server);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args,
    stderr: 'pipe',
    cwd: root,
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  const chunks: string[] = [];
  transport.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  let markExited: () => void = () => undefined;
  const exited = new Promise<void>((resolve) => {
    markExited = resolve;
  });
  const client = new Client({ name: 'e2e-agent', version: '1.0.0' });
  client.onclose = () => {
    markExited();
  };
  await client.connect(transport);
  return {
    client,
    transport,
    stderr: () => chunks.join(''),
    exited,
    close: async () => {
      await client.close().catch(() => undefined);
      dir.cleanup();
    },
  };
}

export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((c) => c.text ?? '').join('');
}

/** The JSON-RPC code of an SDK `McpError`. */
export function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

export interface HttpMcpServer {
  url: string;
  close: () => Promise<void>;
}

/**
 * The reference "everything" server from npm, served over Streamable HTTP on loopback only (its
 * own HTTP mode listens on every interface). One server instance per session.
 */
export async function startEverythingHttp(): Promise<HttpMcpServer> {
  const { createServer: createHttpServer } = await import('node:http');
  const { randomUUID } = await import('node:crypto');
  const { StreamableHTTPServerTransport } =
    await import('@modelcontextprotocol/sdk/server/streamableHttp.js');
  const modulePath = join(
    root,
    'node_modules/@modelcontextprotocol/server-everything/dist/server/index.js',
  );
  const { createServer } = (await import(modulePath)) as {
    createServer: () => {
      server: { connect: (t: unknown) => Promise<void>; close: () => Promise<void> };
      cleanup: (sessionId?: string) => void;
    };
  };
  type Session = InstanceType<typeof StreamableHTTPServerTransport>;
  const sessions = new Map<string, Session>();
  const closers: (() => Promise<void>)[] = [];
  const http = createHttpServer((req, res) => {
    void (async () => {
      const id = req.headers['mcp-session-id'];
      let transport = typeof id === 'string' ? sessions.get(id) : undefined;
      if (transport === undefined) {
        if (req.method !== 'POST' || id !== undefined) {
          res.writeHead(404).end();
          return;
        }
        const { server, cleanup } = createServer();
        const created: Session = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (sessionId: string) => {
            sessions.set(sessionId, created);
          },
        });
        closers.push(async () => {
          await server.close().catch(() => undefined);
          cleanup();
        });
        await server.connect(created);
        transport = created;
      }
      await transport.handleRequest(req, res);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}/mcp`,
    close: async () => {
      for (const close of closers) await close();
      http.closeAllConnections();
      await new Promise<void>((resolve) =>
        http.close(() => {
          resolve();
        }),
      );
    },
  };
}

/** Waits (polling every 10 ms, up to `timeoutMs`) until `text()` matches; returns the text. */
export async function waitForText(
  text: () => string,
  pattern: string | RegExp,
  timeoutMs = 3000,
): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = text();
    if (typeof pattern === 'string' ? value.includes(pattern) : pattern.test(value)) return value;
    if (performance.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
