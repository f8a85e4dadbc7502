import { readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { withMcpResilience, type McpClientDecisionEvent } from '../../../src/mcp/index.ts';
import {
  codeOf,
  connectThroughProxy,
  rejection,
  serverBin,
  startEverythingHttp,
  tempDir,
  textOf,
  waitForText,
  type ProxiedClient,
} from './helpers.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function proxied(options: Parameters<typeof connectThroughProxy>[0]): Promise<ProxiedClient> {
  const connection = await connectThroughProxy(options);
  cleanups.push(connection.close);
  return connection;
}

const everything = [serverBin('everything')];

describe('mcp-proxy with the reference "everything" server (stdio, real processes)', () => {
  it('forwards the protocol untouched and injects tool errors and hallucinations per tool', async () => {
    const { client, stderr } = await proxied({
      server: everything,
      config: {
        seed: 42,
        faults: [
          { kind: 'mcp-tool-error', probability: 1, target: { tool: 'echo' } },
          {
            kind: 'hallucination',
            mode: 'wrong-number',
            probability: 1,
            target: { tool: 'get-sum' },
          },
        ],
      },
    });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'get-sum']));
    expect(client.getServerVersion()?.name).toContain('everything');

    const echo = await client.callTool({ name: 'echo', arguments: { message: 'hello' } });
    expect(echo.isError).toBe(true);
    expect(textOf(echo)).toContain('Error executing tool echo');

    const sum = textOf(await client.callTool({ name: 'get-sum', arguments: { a: 20, b: 22 } }));
    expect(sum).toMatch(/^The sum of \d+ and \d+ is \d+\.$/);
    expect(sum).not.toBe('The sum of 20 and 22 is 42.');

    // Untargeted tools pass through as the server answered.
    const annotated = await client.callTool({
      name: 'get-annotated-message',
      arguments: { messageType: 'success', includeImage: false },
    });
    expect(annotated.isError).toBeFalsy();

    const log = await waitForText(stderr, /injected #2/);
    expect(log).toMatch(
      /injected #1 mcp-tool-error 'mcp-tool-error' on tools\/call.*\[tool echo\] \(seed 42\)/,
    );
    expect(log).toMatch(/injected #2 hallucination .*\[tool get-sum\]/);
  });

  it('holds a hung call until the SDK client times out and cancels it; the session goes on', async () => {
    const { client, stderr } = await proxied({
      server: everything,
      config: { seed: 1, faults: [{ kind: 'hang', probability: 1, target: { tool: 'echo' } }] },
    });
    const started = performance.now();
    const error = await rejection(
      client.callTool({ name: 'echo', arguments: { message: 'x' } }, undefined, { timeout: 300 }),
    );
    expect(error).toBeInstanceOf(McpError);
    expect(codeOf(error)).toBe(-32001);
    expect(performance.now() - started).toBeLessThan(3000);
    const sum = await client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } });
    expect(textOf(sum)).toBe('The sum of 1 and 2 is 3.');
    expect(await waitForText(stderr, "hang 'hang' on tools/call: hang")).toContain(
      "hang 'hang' on tools/call: hang",
    );
  });

  it('cuts a response line short on the wire: the client cannot parse it and times out', async () => {
    const { client } = await proxied({
      server: everything,
      config: {
        seed: 1,
        faults: [
          { kind: 'mcp-malformed', mode: 'truncated', probability: 1, target: { tool: 'echo' } },
        ],
      },
    });
    const error = await rejection(
      client.callTool({ name: 'echo', arguments: { message: 'x' } }, undefined, { timeout: 300 }),
    );
    expect(codeOf(error)).toBe(-32001);
    expect(textOf(await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 2 } }))).toBe(
      'The sum of 2 and 2 is 4.',
    );
  });

  it('crashes the server and restarts it once; the second crash ends the session', async () => {
    const { client, stderr, exited } = await proxied({
      server: everything,
      proxyArgs: ['--max-restarts', '1'],
      config: {
        seed: 1,
        faults: [{ kind: 'mcp-crash', probability: 1, target: { tool: 'get-sum' } }],
      },
    });
    const lost = await rejection(client.callTool({ name: 'get-sum', arguments: { a: 1, b: 1 } }));
    expect(codeOf(lost)).toBe(-32603);
    expect(lost.message).toContain('the MCP server was crashed before answering');
    // The restarted server was re-initialized by the proxy: the client just carries on.
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'back' } }))).toBe(
      'Echo: back',
    );
    expect(await waitForText(stderr, 'the MCP server is back (restart 1)')).toContain(
      'the MCP server is back (restart 1)',
    );

    const gone = await rejection(client.callTool({ name: 'get-sum', arguments: { a: 1, b: 1 } }));
    expect(codeOf(gone)).toBe(-32000); // ConnectionClosed: the proxy ended
    await exited;
    expect(await waitForText(stderr, 'no restart left')).toContain('no restart left');
  });

  it('replays the same injections from the same --seed, and others from another seed', async () => {
    const pattern = async (seed: string): Promise<string> => {
      const { client, close } = await connectThroughProxy({
        server: everything,
        proxyArgs: ['--seed', seed, '--quiet'],
        config: { faults: [{ kind: 'mcp-tool-error', probability: 0.5 }], killSwitch: false },
      });
      let out = '';
      for (let i = 0; i < 12; i++) {
        const result = await client.callTool({ name: 'echo', arguments: { message: `${i}` } });
        out += result.isError === true ? 'x' : '.';
      }
      await close();
      return out;
    };
    const first = await pattern('7');
    expect(first).toMatch(/x/);
    expect(first).toMatch(/\./);
    expect(await pattern('7')).toBe(first);
    expect(await pattern('8')).not.toBe(first);
  });
});

describe('mcp-proxy with the reference "memory" server', () => {
  it('ends the session when the server crashes and no restart is allowed', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const { client, exited, stderr } = await proxied({
      server: [serverBin('memory')],
      env: { MEMORY_FILE_PATH: join(dir.path, 'memory.jsonl') },
      config: {
        seed: 1,
        faults: [{ kind: 'mcp-crash', probability: 1, target: { tool: 'read_graph' } }],
      },
    });
    const created = await client.callTool({
      name: 'create_entities',
      arguments: {
        entities: [{ name: 'faultline', entityType: 'project', observations: ['chaos'] }],
      },
    });
    expect(created.isError).toBeFalsy();
    const error = await rejection(client.callTool({ name: 'read_graph', arguments: {} }));
    expect(codeOf(error)).toBe(-32000);
    await exited;
    expect(await waitForText(stderr, /crashing the MCP server/)).toMatch(/crashing the MCP server/);
    expect(readFileSync(join(dir.path, 'memory.jsonl'), 'utf8')).toContain('faultline');
  });
});

describe('withMcpResilience with the reference "filesystem" server behind the proxy', () => {
  it('falls back to a local file read while the remote read is unavailable', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const file = join(dir.path, 'notes.txt');
    writeFileSync(file, 'remember the milk\n');
    const { client } = await proxied({
      server: [serverBin('filesystem'), dir.path],
      config: {
        seed: 3,
        faults: [
          {
            kind: 'mcp-unavailable',
            ms: 60_000,
            probability: 1,
            target: { tool: 'read_text_file' },
          },
        ],
      },
    });
    const files = withMcpResilience(client, {
      timeoutMs: 5000,
      retry: { maxAttempts: 2 },
      fallback: [
        {
          name: 'local-fs',
          local: {
            read_text_file: async ({ path }) => readFile(String(path), 'utf8'),
          },
        },
      ],
    });
    const decisions: McpClientDecisionEvent[] = [];
    files.resilience.onDecision((d) => decisions.push(d));

    const result = await files.callTool({ name: 'read_text_file', arguments: { path: file } });
    expect(textOf(result)).toBe('remember the milk\n');
    expect(decisions.map((d) => d.decision)).toEqual([
      'attempt-failed',
      'retry',
      'attempt-failed',
      'fallback',
      'success',
    ]);
    expect(decisions[0]).toMatchObject({ failureClass: 'transient', tool: 'read_text_file' });
    expect(decisions.at(-1)?.via).toBe('local-fs');
    expect(files.resilience.server).toContain('filesystem');

    // Other tools of the same server still answer from the server.
    const listing = await files.callTool({ name: 'list_directory', arguments: { path: dir.path } });
    expect(textOf(listing)).toContain('notes.txt');
    expect(decisions.at(-1)).toMatchObject({ decision: 'success', via: 'primary' });
  });
});

describe('mcp-proxy with a Streamable HTTP upstream', () => {
  it('proxies the "everything" server over HTTP and injects faults', async () => {
    const http = await startEverythingHttp();
    cleanups.push(http.close);
    const { client, stderr } = await proxied({
      proxyArgs: ['--upstream-url', http.url],
      config: {
        seed: 5,
        faults: [
          {
            kind: 'mcp-rpc-error',
            code: -32050,
            message: 'upstream quota',
            probability: 1,
            target: { tool: 'get-sum' },
          },
        ],
      },
    });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('echo');
    expect(
      textOf(await client.callTool({ name: 'echo', arguments: { message: 'via http' } })),
    ).toBe('Echo: via http');
    const error = await rejection(client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } }));
    expect(codeOf(error)).toBe(-32050);
    expect(await waitForText(stderr, "mcp-rpc-error 'mcp-rpc-error' on tools/call")).toContain(
      "mcp-rpc-error 'mcp-rpc-error' on tools/call",
    );
  });
});
