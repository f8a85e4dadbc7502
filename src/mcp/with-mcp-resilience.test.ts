import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRandom, isInvalidOptionError, isTimeoutError, VirtualClock } from '../core/index.ts';
import { CircuitBreaker, consecutiveFailures } from '../policies/index.ts';
import { classifyMcpError } from './mcp-error-classifier.ts';
import { McpChaosProxy } from './mcp-chaos-proxy.ts';
import {
  withMcpResilience,
  type McpClientDecisionEvent,
  type McpToolCaller,
} from './with-mcp-resilience.ts';

type Step = (signal: AbortSignal) => Promise<unknown>;

/** A scripted MCP client: each call runs the next step (the last one repeats). */
function scripted(...steps: Step[]): McpToolCaller & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    callTool(params, _schema, options) {
      calls.push(params.name);
      const step = steps.length > 1 ? steps.shift() : steps[0];
      return step!(options?.signal ?? new AbortController().signal);
    },
  };
}

const ok =
  (text: string): Step =>
  () =>
    Promise.resolve({ content: [{ type: 'text', text }] });
const fail =
  (code: number, message = 'boom'): Step =>
  () =>
    Promise.reject(new McpError(code, message));
const never: Step = (signal) =>
  new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () => {
      reject(signal.reason as Error);
    });
  });

function recorder(client: {
  resilience: { onDecision: (l: (e: McpClientDecisionEvent) => void) => unknown };
}): McpClientDecisionEvent[] {
  const events: McpClientDecisionEvent[] = [];
  client.resilience.onDecision((e) => events.push(e));
  return events;
}

const summary = (events: readonly McpClientDecisionEvent[]): string[] =>
  events.map((e) => `${e.decision}${e.via === undefined ? '' : `:${e.via}`}@${e.attempt}`);

describe('withMcpResilience', () => {
  it('retries a transient failure and succeeds, recording each decision', async () => {
    const clock = new VirtualClock();
    const stub = scripted(fail(-32603), ok('done'));
    const client = withMcpResilience(stub, {
      name: 'files',
      clock,
      random: createRandom(1),
    });
    const events = recorder(client);
    const result = await clock.run(client.callTool({ name: 'read', arguments: {} }));
    expect(result).toEqual({ content: [{ type: 'text', text: 'done' }] });
    expect(stub.calls).toEqual(['read', 'read']);
    expect(summary(events)).toEqual(['attempt-failed@1', 'retry@1', 'success:primary@2']);
    expect(events[0]).toMatchObject({ server: 'files', tool: 'read', failureClass: 'transient' });
  });

  it('does not retry a permanent failure (invalid params) and rethrows it as is', async () => {
    const clock = new VirtualClock();
    const error = new McpError(-32602, 'bad path');
    const stub = scripted(() => Promise.reject(error));
    const client = withMcpResilience(stub, { clock, random: createRandom(1) });
    const events = recorder(client);
    await expect(clock.run(client.callTool({ name: 'read' }))).rejects.toBe(error);
    expect(stub.calls).toHaveLength(1);
    expect(summary(events)).toEqual(['attempt-failed@1', 'failure@1']);
    expect(client.resilience.breaker?.state).toBe('closed');
  });

  it('times each attempt out, then falls back to a local implementation', async () => {
    const clock = new VirtualClock();
    const stub = scripted(never);
    const client = withMcpResilience(stub, {
      clock,
      random: createRandom(2),
      timeoutMs: 1000,
      retry: { maxAttempts: 2 },
      fallback: [
        { name: 'disk', local: { read_text_file: ({ path }) => `local copy of ${String(path)}` } },
      ],
    });
    const events = recorder(client);
    const started = clock.now();
    const result = await clock.run(
      client.callTool({ name: 'read_text_file', arguments: { path: '/a.txt' } }),
    );
    expect(result).toEqual({ content: [{ type: 'text', text: 'local copy of /a.txt' }] });
    expect(summary(events)).toEqual([
      'attempt-failed@1',
      'retry@1',
      'attempt-failed@2',
      'fallback:disk@2',
      'success:disk@2',
    ]);
    expect(isTimeoutError(events[0]?.error)).toBe(true);
    expect(clock.now() - started).toBeGreaterThanOrEqual(2000);
  });

  it('reports each timed-out attempt in order even when the client ignores its signal', async () => {
    const clock = new VirtualClock();
    const stub = scripted(() => new Promise(() => undefined));
    const client = withMcpResilience(stub, {
      clock,
      random: createRandom(6),
      timeoutMs: 100,
      retry: { maxAttempts: 2 },
    });
    const events = recorder(client);
    const error = await clock.run(client.callTool({ name: 'stuck' }).catch((e: unknown) => e));
    expect(isTimeoutError(error)).toBe(true);
    expect(summary(events)).toEqual([
      'attempt-failed@1',
      'retry@1',
      'attempt-failed@2',
      'failure@2',
    ]);
  });

  it('opens the breaker per server and then goes straight to the fallback server', async () => {
    const clock = new VirtualClock();
    const primary = scripted(fail(-32603));
    const replica = scripted(ok('from replica'));
    const client = withMcpResilience(primary, {
      clock,
      random: createRandom(3),
      retry: false,
      circuitBreaker: { strategy: consecutiveFailures({ threshold: 2 }), resetTimeout: 10_000 },
      fallback: [{ name: 'replica', server: replica }],
    });
    const events = recorder(client);
    for (let i = 0; i < 3; i++) {
      expect(await clock.run(client.callTool({ name: 'search' }))).toEqual({
        content: [{ type: 'text', text: 'from replica' }],
      });
    }
    expect(primary.calls).toHaveLength(2); // the third call never reached it
    expect(replica.calls).toHaveLength(3);
    expect(client.resilience.breaker?.state).toBe('open');
    expect(summary(events).slice(-3)).toEqual([
      'circuit-open@0',
      'fallback:replica@0',
      'success:replica@0',
    ]);
  });

  it('counts a closed connection against the breaker without retrying on it', async () => {
    const clock = new VirtualClock();
    const breaker = new CircuitBreaker({ clock, strategy: consecutiveFailures({ threshold: 1 }) });
    const stub = scripted(fail(-32000, 'Connection closed'));
    const client = withMcpResilience(stub, {
      clock,
      random: createRandom(4),
      circuitBreaker: breaker,
    });
    await expect(clock.run(client.callTool({ name: 'x' }))).rejects.toMatchObject({ code: -32000 });
    expect(stub.calls).toHaveLength(1);
    expect(breaker.state).toBe('open');
  });

  it("with errorResults 'fail', retries error results and returns the last one", async () => {
    const clock = new VirtualClock();
    const errorResult = { content: [{ type: 'text', text: 'busy' }], isError: true };
    const stub = scripted(() => Promise.resolve(errorResult));
    const client = withMcpResilience(stub, {
      clock,
      random: createRandom(5),
      errorResults: 'fail',
      retry: { maxAttempts: 3 },
      circuitBreaker: false,
    });
    const events = recorder(client);
    expect(await clock.run(client.callTool({ name: 'x' }))).toBe(errorResult);
    expect(stub.calls).toHaveLength(3);
    expect(events.at(-1)?.decision).toBe('failure');
  });

  it('passes everything else through to the client', async () => {
    const stub = Object.assign(scripted(ok('x')), {
      label: 'stub',
      hello(this: { label: string }) {
        return this.label;
      },
    });
    const client = withMcpResilience(stub, { name: 'n' });
    expect(client.hello()).toBe('stub');
    expect(client.label).toBe('stub');
    expect(client.resilience.server).toBe('n');
  });

  it('rejects bad options', () => {
    const stub = scripted(ok('x'));
    for (const options of [
      { timeoutMs: 0 },
      { errorResults: 'maybe' as 'fail' },
      { fallback: [{ nope: true } as never] },
      { isTransient: 5 as never },
    ]) {
      let caught: unknown;
      try {
        withMcpResilience(stub, options);
      } catch (error) {
        caught = error;
      }
      expect(isInvalidOptionError(caught)).toBe(true);
    }
  });

  it('classifies MCP failures', () => {
    expect(classifyMcpError(new McpError(-32001, 'Request timed out'))).toBe('transient');
    expect(classifyMcpError(new McpError(-32603, 'x', { status: 400 }))).toBe('permanent');
    expect(classifyMcpError(new McpError(-32603, 'x', { status: 503 }))).toBe('transient');
    expect(classifyMcpError(new McpError(-32601, 'x'))).toBe('permanent');
    expect(classifyMcpError(new McpError(-32000, 'Connection closed'))).toBe('connection');
    expect(classifyMcpError(new Error('Not connected'))).toBe('connection');
    expect(classifyMcpError(Object.assign(new Error('x'), { name: 'ZodError' }))).toBe('transient');
  });
});

describe('withMcpResilience through the chaos proxy (SDK client and server in memory)', () => {
  const open: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of open.splice(0)) await close();
  });

  it('survives a hanging tool: the timeout cancels it on the server side, the local fallback answers', async () => {
    const clock = new VirtualClock();
    const executed: string[] = [];
    const [clientSide, proxySide] = InMemoryTransport.createLinkedPair();
    const proxy = new McpChaosProxy({
      client: proxySide,
      upstream: () => {
        const [a, b] = InMemoryTransport.createLinkedPair();
        const server = new McpServer({ name: 'files', version: '1' });
        server.registerTool('read_text_file', { inputSchema: { path: z.string() } }, ({ path }) => {
          executed.push(path);
          return { content: [{ type: 'text', text: `remote ${path}` }] };
        });
        void server.connect(b);
        return a;
      },
      chaos: { seed: 9, clock, killSwitch: false, faults: [{ kind: 'hang', probability: 1 }] },
      log: false,
    });
    await proxy.start();
    const sdk = new Client({ name: 'agent', version: '1' });
    await sdk.connect(clientSide);
    open.push(
      () => sdk.close(),
      () => proxy.close(),
    );
    const client = withMcpResilience(sdk, {
      clock,
      random: createRandom(9),
      timeoutMs: 500,
      retry: { maxAttempts: 2 },
      fallback: [{ local: { read_text_file: ({ path }) => `local ${String(path)}` } }],
    });
    const events = recorder(client);
    const result = await clock.run(
      client.callTool({ name: 'read_text_file', arguments: { path: 'a.txt' } }),
    );
    expect(result).toEqual({ content: [{ type: 'text', text: 'local a.txt' }] });
    expect(client.resilience.server).toBe('files');
    expect(summary(events)).toEqual([
      'attempt-failed@1',
      'retry@1',
      'attempt-failed@2',
      'fallback:local@2',
      'success:local@2',
    ]);
    expect(executed).toEqual([]);
    await clock.advance(0);
    expect(clock.pending).toBe(0); // both hangs were released by the cancellations
    expect(proxy.scope.journal.injections).toHaveLength(2);
  });
});
