import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isInvalidOptionError, VirtualClock } from '../core/index.ts';
import type { ChaosConfig } from '../faults/index.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadMcpProxyConfig,
  resolveMcpChaosConfig,
  resolveRestartPolicy,
} from './mcp-chaos-config.ts';
import { runMcpProxy } from './run-mcp-proxy.ts';
import { McpChaosProxy, type McpChaosProxyOptions } from './mcp-chaos-proxy.ts';

interface Harness {
  client: Client;
  proxy: McpChaosProxy;
  clock: VirtualClock;
  logs: string[];
  /** Tool executions seen by the real servers, in order. */
  executed: string[];
  /** Servers started by the upstream factory. */
  servers: () => number;
}

function makeServer(executed: string[]): McpServer {
  const server = new McpServer({ name: 'inventory', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Echoes a message', inputSchema: { message: z.string() } },
    ({ message }) => {
      executed.push('echo');
      return { content: [{ type: 'text', text: `Echo: ${message}` }] };
    },
  );
  server.registerTool(
    'price',
    { description: 'Price of a product', inputSchema: { sku: z.string() } },
    ({ sku }) => {
      executed.push('price');
      return {
        content: [{ type: 'text', text: JSON.stringify({ sku, price: 42.5, stock: 12 }) }],
      };
    },
  );
  server.registerTool('boom', { description: 'Crashes the server' }, () => {
    executed.push('boom');
    return { content: [{ type: 'text', text: 'survived' }] };
  });
  return server;
}

const open: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

async function harness(
  chaos: ChaosConfig,
  options: Partial<McpChaosProxyOptions> = {},
): Promise<Harness> {
  const clock = new VirtualClock();
  const executed: string[] = [];
  const logs: string[] = [];
  let servers = 0;
  const [clientSide, proxySide] = InMemoryTransport.createLinkedPair();
  const proxy = new McpChaosProxy({
    client: proxySide,
    upstream: () => {
      const [proxyEnd, serverEnd] = InMemoryTransport.createLinkedPair();
      servers++;
      void makeServer(executed).connect(serverEnd);
      return proxyEnd;
    },
    chaos: { killSwitch: false, ...chaos, clock },
    log: (line) => logs.push(line),
    ...options,
  });
  await proxy.start();
  const client = new Client({ name: 'agent', version: '1.0.0' });
  await client.connect(clientSide);
  open.push(
    () => client.close(),
    () => proxy.close(),
  );
  return { client, proxy, clock, logs, executed, servers: () => servers };
}

function text(result: unknown): string {
  const content = (result as { content: { type: string; text?: string }[] }).content;
  return content.map((c) => c.text ?? '').join('');
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('McpChaosProxy (in memory)', () => {
  it('forwards everything unchanged when no fault fires', async () => {
    const { client, proxy, executed } = await harness({ seed: 1 });
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toEqual(['echo', 'price', 'boom']);
    const result = await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
    expect(text(result)).toBe('Echo: hi');
    expect(result.isError).toBeUndefined();
    expect(executed).toEqual(['echo']);
    expect(proxy.scope.journal.injections).toHaveLength(0);
    expect(client.getServerVersion()?.name).toBe('inventory');
  });

  it('answers a tool error result for the targeted tool only, and logs and journals it', async () => {
    const { client, proxy, logs, executed } = await harness({
      seed: 3,
      faults: [
        { kind: 'mcp-tool-error', probability: 1, message: 'disk full', target: { tool: 'echo' } },
      ],
    });
    const failed = await client.callTool({ name: 'echo', arguments: { message: 'x' } });
    expect(failed.isError).toBe(true);
    expect(text(failed)).toBe('disk full');
    const fine = await client.callTool({ name: 'price', arguments: { sku: 'A1' } });
    expect(fine.isError).toBeUndefined();
    expect(executed).toEqual(['price']); // the failing tool never ran
    const [record] = proxy.scope.journal.injections;
    expect(record).toMatchObject({
      kind: 'mcp-tool-error',
      seq: 1,
      seed: '3',
      target: { operation: 'tools/call', tool: 'echo' },
      effect: { type: 'fail', error: { name: 'McpFaultAction', code: 'tool-error' } },
    });
    expect(logs.some((l) => /injected #1 mcp-tool-error .*\[tool echo\] \(seed 3\)/.test(l))).toBe(
      true,
    );
  });

  it('answers JSON-RPC errors: mcp-rpc-error with its code, other injected errors as -32603', async () => {
    const { client } = await harness({
      seed: 1,
      faults: [
        { kind: 'mcp-rpc-error', code: -32050, message: 'quota', target: { tool: 'echo' } },
        { kind: 'error', type: 'rate-limited', retryAfterMs: 2500, target: { tool: 'price' } },
      ],
      probabilities: { 'mcp-rpc-error': 1, error: 1 },
    });
    const first = await rejection(client.callTool({ name: 'echo', arguments: { message: 'x' } }));
    expect(first).toBeInstanceOf(McpError);
    expect((first as McpError).code).toBe(-32050);
    const second = (await rejection(
      client.callTool({ name: 'price', arguments: { sku: 'A' } }),
    )) as McpError;
    expect(second.code).toBe(-32603);
    expect(second.message).toContain('429');
    expect(second.data).toMatchObject({
      status: 429,
      code: 'rate_limit_exceeded',
      retryAfterMs: 2500,
      faultline: { kind: 'error', seed: '1' },
    });
  });

  it('delays a tool call on the virtual clock, and leaves other requests alone', async () => {
    const { client, clock } = await harness({
      seed: 1,
      faults: [{ kind: 'latency', ms: 500, probability: 1 }],
    });
    await client.listTools(); // not a tools/call: no delay, no clock advance needed
    let done = false;
    const call = client.callTool({ name: 'echo', arguments: { message: 'x' } }).then((r) => {
      done = true;
      return r;
    });
    await clock.advance(499);
    expect(done).toBe(false);
    await clock.advance(1);
    expect(text(await call)).toBe('Echo: x');
    expect(done).toBe(true);
  });

  it('holds a hung call until the client cancels it; the server never sees it', async () => {
    const { client, clock, executed, proxy } = await harness({
      seed: 1,
      faults: [{ kind: 'hang', probability: 1, target: { tool: 'echo' } }],
    });
    const controller = new AbortController();
    const call = rejection(
      client.callTool({ name: 'echo', arguments: { message: 'x' } }, undefined, {
        signal: controller.signal,
      }),
    );
    await clock.advance(60_000);
    expect(executed).toEqual([]);
    controller.abort(new Error('agent gave up'));
    expect(((await call) as Error).message).toContain('agent gave up');
    await clock.advance(0);
    expect(clock.pending).toBe(0); // the hang released its wait
    expect(executed).toEqual([]);
    // The proxy still serves other calls.
    expect(text(await client.callTool({ name: 'price', arguments: { sku: 'B' } }))).toContain(
      '42.5',
    );
    expect(proxy.scope.journal.injections.map((r) => r.effect.type)).toEqual(['hang']);
  });

  it('hallucinates tool content deterministically by seed', async () => {
    const run = async (seed: number): Promise<string> => {
      const { client } = await harness({
        seed,
        faults: [
          { kind: 'hallucination', mode: 'wrong-number', fields: ['price'], probability: 1 },
        ],
      });
      return text(await client.callTool({ name: 'price', arguments: { sku: 'A1' } }));
    };
    const a = await run(11);
    const b = await run(11);
    expect(a).toBe(b);
    const parsed = JSON.parse(a) as { sku: string; price: number; stock: number };
    expect(parsed.sku).toBe('A1');
    expect(parsed.stock).toBe(12);
    expect(parsed.price).not.toBe(42.5);
  });

  it('truncates content with a corruption fault', async () => {
    const { client } = await harness({
      seed: 1,
      faults: [{ kind: 'corruption', mode: 'truncate', fraction: 0.5, probability: 1 }],
    });
    const out = text(await client.callTool({ name: 'echo', arguments: { message: 'abcdefgh' } }));
    expect('Echo: abcdefgh'.startsWith(out)).toBe(true);
    expect(out.length).toBe(7);
  });

  it('breaks the result schema with mcp-malformed invalid-result: the SDK rejects it', async () => {
    const { client } = await harness({
      seed: 1,
      faults: [{ kind: 'mcp-malformed', mode: 'invalid-result', probability: 1 }],
    });
    const error = await rejection(client.callTool({ name: 'echo', arguments: { message: 'x' } }));
    expect(error).not.toBeInstanceOf(McpError);
  });

  it('answers with a wrong id: the client never gets its answer', async () => {
    const { client, proxy } = await harness({
      seed: 1,
      faults: [{ kind: 'mcp-malformed', mode: 'wrong-id', probability: 1 }],
    });
    const controller = new AbortController();
    const call = rejection(
      client.callTool({ name: 'echo', arguments: { message: 'x' } }, undefined, {
        signal: controller.signal,
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('no answer'));
    expect(((await call) as Error).message).toContain('no answer');
    expect(proxy.scope.journal.injections[0]?.effect.description).toBe('mcp-malformed: wrong-id');
  });

  it('removes a tool from tools/list, and calls to it then fail', async () => {
    const { client, executed } = await harness({
      seed: 1,
      faults: [{ kind: 'mcp-tools-list', mode: 'remove', tools: ['echo'], probability: 1 }],
    });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['price', 'boom']);
    const result = await client.callTool({ name: 'echo', arguments: { message: 'x' } });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('Tool echo not found');
    expect(executed).toEqual([]);
    expect((await client.callTool({ name: 'price', arguments: { sku: 'A' } })).isError).toBe(
      undefined,
    );
  });

  it('changes a tool schema in tools/list', async () => {
    const { client } = await harness({
      seed: 5,
      faults: [{ kind: 'mcp-tools-list', mode: 'change-schema', tools: ['price'], probability: 1 }],
    });
    const { tools } = await client.listTools();
    const price = tools.find((t) => t.name === 'price');
    const echo = tools.find((t) => t.name === 'echo');
    expect(price?.inputSchema).not.toEqual({
      type: 'object',
      properties: { sku: { type: 'string' } },
      required: ['sku'],
    });
    expect(JSON.stringify(echo?.inputSchema)).toContain('message');
  });

  it('makes the server unavailable for a window: every request fails until it ends', async () => {
    const { client, clock, proxy } = await harness({
      seed: 1,
      faults: [{ kind: 'mcp-unavailable', ms: 1000, probability: 1, target: { tool: 'echo' } }],
    });
    const first = (await rejection(
      client.callTool({ name: 'echo', arguments: { message: 'a' } }),
    )) as McpError;
    expect(first.data).toMatchObject({ status: 503, retryAfterMs: 1000 });
    await clock.advance(400);
    const second = (await rejection(
      client.callTool({ name: 'echo', arguments: { message: 'b' } }),
    )) as McpError;
    expect(second.data).toMatchObject({ status: 503, retryAfterMs: 600 });
    // Outside its target the server still answers.
    expect((await client.callTool({ name: 'price', arguments: { sku: 'A' } })).isError).toBe(
      undefined,
    );
    await clock.advance(600);
    const third = (await rejection(
      client.callTool({ name: 'echo', arguments: { message: 'c' } }),
    )) as McpError;
    expect(third.data).toMatchObject({ retryAfterMs: 1000 }); // a new outage began
    expect(proxy.scope.journal.injections.map((r) => r.time)).toEqual([0, 400, 1000]);
  });

  it('applies server-wide faults to every request but initialize by default', async () => {
    const { client } = await harness({
      seed: 1,
      faults: [{ kind: 'mcp-unavailable', ms: 1000, probability: 1 }],
    });
    const error = (await rejection(client.listTools())) as McpError;
    expect(error.data).toMatchObject({ status: 503 });
  });

  it('crashes the server and restarts it, re-initializing it for the client', async () => {
    const { client, proxy, servers, executed, clock } = await harness(
      { seed: 1, faults: [{ kind: 'mcp-crash', probability: 1, target: { tool: 'boom' } }] },
      { restart: { maxRestarts: 1, delayMs: 100 } },
    );
    const exits: unknown[] = [];
    const restarts: unknown[] = [];
    proxy.onUpstreamExit((e) => exits.push(e));
    proxy.onUpstreamRestart((e) => restarts.push(e));
    const lost = (await rejection(client.callTool({ name: 'boom' }))) as McpError;
    expect(lost.message).toContain('the MCP server was crashed before answering');
    // A call made while the server restarts waits for it.
    const waiting = client.callTool({ name: 'echo', arguments: { message: 'after' } });
    await clock.advance(100);
    expect(text(await waiting)).toBe('Echo: after');
    expect(servers()).toBe(2);
    expect(executed).toEqual(['echo']);
    expect(exits).toEqual([
      { reason: 'crash-injected', restarts: 0, restarting: true, inFlight: 1, time: 0 },
    ]);
    expect(restarts).toEqual([{ restarts: 1, time: 100 }]);
    expect(proxy.restarts).toBe(1);
  });

  it('ends when the server crashes and no restart is allowed: the client sees the connection close', async () => {
    const { client, proxy } = await harness({
      seed: 1,
      faults: [{ kind: 'mcp-crash', probability: 1 }],
    });
    const error = (await rejection(client.callTool({ name: 'boom' }))) as McpError;
    expect(error.code).toBe(-32000); // ConnectionClosed
    expect(await proxy.closed).toMatchObject({ reason: 'upstream-exited', exitCode: 1 });
  });

  it('drops the client connection on mcp-disconnect', async () => {
    const { client, proxy } = await harness({
      seed: 1,
      faults: [{ kind: 'mcp-disconnect', probability: 1 }],
    });
    const error = (await rejection(
      client.callTool({ name: 'echo', arguments: { message: 'x' } }),
    )) as McpError;
    expect(error.code).toBe(-32000);
    expect(await proxy.closed).toMatchObject({ reason: 'disconnect', exitCode: 0 });
  });

  it('replays the same journal from the same seed', async () => {
    const run = async (): Promise<string> => {
      const { client, proxy } = await harness({
        seed: 'replay',
        faults: [
          { kind: 'mcp-tool-error', probability: 0.4 },
          { kind: 'hallucination', probability: 0.3 },
        ],
      });
      for (let i = 0; i < 20; i++) {
        await client.callTool({ name: 'price', arguments: { sku: `S${i}` } });
      }
      return proxy.scope.journal.toJsonLines();
    };
    const first = await run();
    expect(first).toBe(await run());
    expect(first.split('\n').filter((l) => l.includes('"injection"')).length).toBeGreaterThan(3);
  });

  it('stops injecting when the kill switch trips', async () => {
    const { client, proxy, logs } = await harness({
      seed: 1,
      faults: [{ kind: 'mcp-rpc-error', probability: 1 }],
      killSwitch: { errorRate: { threshold: 0.5, minCalls: 4, windowMs: 10_000 } },
    });
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) {
      outcomes.push(
        await client.callTool({ name: 'echo', arguments: { message: 'x' } }).then(
          () => 'ok',
          () => 'error',
        ),
      );
    }
    expect(outcomes).toEqual(['error', 'error', 'error', 'error', 'ok', 'ok']);
    expect(proxy.scope.stopped?.reason).toBe('kill-switch');
    expect(logs.some((l) => l.startsWith('kill switch tripped'))).toBe(true);
  });
});

describe('MCP proxy config', () => {
  it('defaults faults to tools/call, server-wide kinds to every request but initialize', () => {
    const config = resolveMcpChaosConfig({
      faults: [
        { kind: 'latency', ms: 1 },
        { kind: 'mcp-crash', name: 'crash' },
        { kind: 'mcp-tools-list', name: 'list' },
        { kind: 'hang', name: 'explicit', target: { operation: 'resources/read' } },
      ],
    });
    expect(config.enabled).toBe(true);
    const [latency, crash, list, explicit] = config.faults;
    expect(latency?.target?.({ operation: 'tools/call', tool: 'a' })).toBe(true);
    expect(latency?.target?.({ operation: 'tools/list' })).toBe(false);
    expect(crash?.target?.({ operation: 'ping' })).toBe(true);
    expect(crash?.target?.({ operation: 'initialize' })).toBe(false);
    expect(list?.target?.({ operation: 'tools/list' })).toBe(true);
    expect(explicit?.target?.({ operation: 'tools/call' })).toBe(false);
  });

  it('adds a fault for each kind listed in types', () => {
    const config = resolveMcpChaosConfig({ types: ['mcp-tool-error', 'latency'] });
    expect(config.faults.map((f) => f.kind).sort()).toEqual(['latency', 'mcp-tool-error']);
  });

  it('rejects bad fields with the path, value and what is allowed', () => {
    expect(() => resolveMcpChaosConfig({ faults: [{ kind: 'mcp-rpc-error', code: 1.5 }] })).toThrow(
      /faults\[0\]\.code' must be an integer/,
    );
    expect(() => resolveMcpChaosConfig({ faults: [{ kind: 'mcp-malformed', mode: 'x' }] })).toThrow(
      /'invalid-result', 'truncated', 'wrong-id'/,
    );
    let caught: unknown;
    try {
      resolveRestartPolicy({ maxRestarts: -1 });
    } catch (error) {
      caught = error;
    }
    expect(isInvalidOptionError(caught)).toBe(true);
    expect(() => resolveRestartPolicy({ maxRestarts: 1, delay: 5 } as never)).toThrow(
      /restart\.delay/,
    );
  });

  it('loads a faults file with its restart policy, naming the file in errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-mcp-config-'));
    try {
      const good = join(dir, 'faults.json');
      writeFileSync(
        good,
        JSON.stringify({
          seed: 9,
          restart: { maxRestarts: 2, delayMs: 50 },
          faults: [{ kind: 'mcp-crash', probability: 0.1 }],
        }),
      );
      const loaded = await loadMcpProxyConfig(good);
      expect(loaded.restart).toEqual({ maxRestarts: 2, delayMs: 50 });
      expect(loaded.chaos).toEqual({ seed: 9, faults: [{ kind: 'mcp-crash', probability: 0.1 }] });
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ faults: [{ kind: 'latency', ms: -1 }] }));
      await expect(loadMcpProxyConfig(bad)).rejects.toThrow(/bad\.json: .*faults\[0\]\.ms/);
      const yaml = join(dir, 'faults.yaml');
      writeFileSync(
        yaml,
        [
          'seed: 3',
          'restart: { maxRestarts: 1 }',
          'faults:',
          '  - kind: mcp-tool-error',
          '    probability: 0.2',
          '    target: { tool: "read_*" }',
          '',
        ].join('\n'),
      );
      expect(await loadMcpProxyConfig(yaml)).toEqual({
        chaos: {
          seed: 3,
          faults: [{ kind: 'mcp-tool-error', probability: 0.2, target: { tool: 'read_*' } }],
        },
        restart: { maxRestarts: 1, delayMs: 0 },
      });
      const broken = join(dir, 'broken.json');
      writeFileSync(broken, '{ "faults": [');
      await expect(loadMcpProxyConfig(broken)).rejects.toThrow(/broken\.json: not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runMcpProxy needs exactly one upstream: a command or a URL', async () => {
    await expect(runMcpProxy({})).rejects.toThrow(/option 'command' must be a server command/);
    await expect(
      runMcpProxy({ command: ['node', 'server.js'], upstreamUrl: 'http://127.0.0.1:1/mcp' }),
    ).rejects.toThrow(/not both/);
  });
});
