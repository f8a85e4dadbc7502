import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { invalidOption } from '../core/index.ts';
import { StdioUpstreamTransport, type StdioUpstreamOptions } from './stdio-upstream.ts';

/** How to reach a Streamable HTTP MCP server. */
export interface HttpUpstreamOptions {
  /** The server's MCP endpoint, e.g. `http://127.0.0.1:3001/mcp`. */
  readonly url: string | URL;
  /**
   * Headers sent with every request (e.g. `Authorization`).
   * @default {}
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The upstream connection to a stdio MCP server that the proxy spawns (and kills on an
 * `mcp-crash`). Pass it as the proxy's `upstream` factory.
 *
 * @example
 * ```ts
 * new McpChaosProxy({ client, upstream: () => stdioUpstream({ command: 'npx', args: ['-y', 'my-server'] }) });
 * ```
 */
export function stdioUpstream(options: StdioUpstreamOptions): StdioUpstreamTransport {
  return new StdioUpstreamTransport(options);
}

/**
 * The upstream connection to a Streamable HTTP MCP server, through the SDK's own client
 * transport. An `mcp-crash` closes the session; a restart opens a new one.
 */
export function httpUpstream(options: HttpUpstreamOptions): Transport {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    return invalidOption('httpUpstream', 'url', options.url, 'an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    invalidOption('httpUpstream', 'url', options.url, 'an absolute http(s) URL');
  }
  const headers = options.headers;
  return new StreamableHTTPClientTransport(
    url,
    headers === undefined ? undefined : { requestInit: { headers: { ...headers } } },
  );
}
