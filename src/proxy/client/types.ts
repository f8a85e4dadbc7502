/**
 * The admin API's wire types: what `faultline proxy` (and Toxiproxy) send and accept as JSON.
 * This file imports nothing, so the client works without the server.
 */

/** Which half of a connection a toxic affects: client→server is `upstream`, server→client `downstream`. */
export type ToxicStream = 'upstream' | 'downstream';

/** Attributes of the TCP toxics, with Toxiproxy's names and units. */
export interface TcpToxicAttributes {
  /** Adds `latency` ± `jitter` milliseconds to every chunk. */
  latency: { latency: number; jitter: number };
  /** Caps the connection at `rate` KB/s (1 KB = 1000 bytes); 0 means unlimited. */
  bandwidth: { rate: number };
  /** Delays the close of the connection by `delay` ms. */
  slow_close: { delay: number };
  /** Drops all data; closes the connection after `timeout` ms (0: hold until the toxic is removed). */
  timeout: { timeout: number };
  /** Resets the connection (TCP RST) `timeout` ms after the first data. */
  reset_peer: { timeout: number };
  /** Slices data into chunks of `average_size` ± `size_variation` bytes, `delay` µs apart. */
  slicer: { average_size: number; size_variation: number; delay: number };
  /** Closes the connection once `bytes` bytes went through. */
  limit_data: { bytes: number };
  /** Does nothing (a placeholder Toxiproxy also has). */
  noop: Record<string, never>;
  /** faultline: waits `delay` ms before dialling the upstream (a slow handshake). */
  connect_delay: { delay: number };
  /**
   * faultline: with probability `probability` per chunk, holds it and everything behind it for
   * `stall` ms, as a TCP retransmission after a lost packet does.
   */
  packet_loss: { probability: number; stall: number };
  /** faultline: caps all connections of the proxy together at `rate` KB/s in this direction. */
  proxy_bandwidth: { rate: number };
}

/** Request matching shared by every HTTP toxic: empty strings match everything. */
export interface HttpMatchAttributes {
  /** Request method to match, e.g. `POST` (case-insensitive); `''` matches any. */
  method: string;
  /** Path to match (query excluded): exact, or a prefix when it ends with `*`; `''` matches any. */
  path: string;
  /** Probability that a matching request is affected (drawn per request). */
  probability: number;
}

/** How an SSE cut ends the stream: drop the connection, or finish the response cleanly. */
export type StreamCutMode = 'close' | 'end';

/** Attributes of the HTTP-aware toxics (only on proxies created with `"http": true`). */
export interface HttpToxicAttributes {
  /** Answers matching requests with `status` instead of forwarding them. */
  http_status: HttpMatchAttributes & {
    status: number;
    /** `Retry-After` header in seconds; 0 leaves it out. */
    retry_after: number;
    /** `retry-after-ms` header; 0 leaves it out. */
    retry_after_ms: number;
    /** Response body; `''` gives `{"error":{"message":...,"type":"faultline_injected"}}`. */
    body: string;
    content_type: string;
  };
  /** Forwards only the first `bytes` bytes of the response body, then drops the connection. */
  http_truncate: HttpMatchAttributes & { bytes: number };
  /** Cuts a JSON response body in half, keeping a correct `Content-Length`. */
  http_invalid_json: HttpMatchAttributes;
  /** Sets the JSON field at dot-path `field` (e.g. `choices.0.message.content`) to `value`. */
  http_corrupt_field: HttpMatchAttributes & { field: string; value: unknown };
  /** Delays the response's first byte by `delay` ms. */
  http_slow_ttfb: HttpMatchAttributes & { delay: number };
  /** Forwards `events` server-sent events, then cuts the stream. */
  sse_cut: HttpMatchAttributes & { events: number; mode: StreamCutMode };
  /**
   * Stalls a response for `duration` ms (0: until the toxic is removed) after `events` SSE
   * events, or after `bytes` body bytes for other responses.
   */
  http_stall: HttpMatchAttributes & { events: number; bytes: number; duration: number };
  /** OpenAI-shaped 429 `rate_limit_exceeded`, with `retry-after` and `retry-after-ms` headers. */
  openai_rate_limit: HttpMatchAttributes & { retry_after_ms: number; limit: number };
  /** OpenAI-shaped 400 `context_length_exceeded`. */
  openai_context_length: HttpMatchAttributes & { max_tokens: number; requested_tokens: number };
  /** OpenAI-shaped "server overloaded" error (503 by default). */
  openai_overloaded: HttpMatchAttributes & { status: number };
  /** Makes tool-call `arguments` invalid JSON, in JSON and in streamed responses. */
  openai_bad_tool_args: HttpMatchAttributes;
  /** Ends a streamed completion before its `data: [DONE]` event. */
  openai_stream_no_done: HttpMatchAttributes & { mode: StreamCutMode };
}

/** Attributes of every toxic type, by type. */
export type ToxicAttributesByType = TcpToxicAttributes & HttpToxicAttributes;

/** Every toxic type the server knows. */
export type ToxicType = keyof ToxicAttributesByType;

/** A toxic as the API returns it. */
export interface ToxicJson<T extends ToxicType = ToxicType> {
  attributes: ToxicAttributesByType[T];
  name: string;
  type: T;
  stream: ToxicStream;
  /** Probability (0..1) that the toxic applies to a connection, drawn once per connection and direction. */
  toxicity: number;
}

/** What creating a toxic takes; everything but `type` has a default. */
export interface ToxicInput<T extends ToxicType = ToxicType> {
  type: T;
  /** @default `<type>_<stream>` */
  name?: string;
  /** @default 'downstream' */
  stream?: ToxicStream;
  /** @default 1 */
  toxicity?: number;
  /** Missing attributes take their defaults (mostly 0). */
  attributes?: Partial<ToxicAttributesByType[T]>;
}

/** What updating a toxic takes: attributes merge into the current ones. */
export interface ToxicUpdate<T extends ToxicType = ToxicType> {
  toxicity?: number;
  attributes?: Partial<ToxicAttributesByType[T]>;
}

/** A proxy as the API returns it (Toxiproxy's shape, `Logger` included). */
export interface ProxyJson {
  name: string;
  /** The bound address once enabled, e.g. `127.0.0.1:26379`. */
  listen: string;
  upstream: string;
  enabled: boolean;
  /** Present (and true) only on proxies that understand HTTP. */
  http?: true;
  /** Always `{}`: Toxiproxy serialises its logger field, and some clients expect it. */
  Logger: Record<string, never>;
  toxics: ToxicJson[];
}

/** What creating a proxy takes (also one entry of a config file or of `/populate`). */
export interface ProxyInput {
  name: string;
  /** @default '127.0.0.1:0' (a free port on loopback) */
  listen?: string;
  upstream: string;
  /** @default true */
  enabled?: boolean;
  /** Parse HTTP/1.1 on this proxy so HTTP toxics can apply. @default false */
  http?: boolean;
  /** faultline: toxics to install (config files and `/populate`). */
  toxics?: ToxicInput[];
}

/** What updating a proxy takes; missing fields keep their value. */
export interface ProxyUpdate {
  listen?: string;
  upstream?: string;
  enabled?: boolean;
  http?: boolean;
}

/** Body of every error response: `{"error": message, "status": code}`. */
export interface ApiErrorJson {
  error: string;
  status: number;
}
