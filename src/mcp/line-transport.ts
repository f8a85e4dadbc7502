import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { assertInteger } from '../core/index.ts';

/** Options of a {@link LineTransport}. */
export interface LineTransportOptions {
  /** Where messages come from (e.g. `process.stdin`, a child's stdout). */
  readonly input: Readable;
  /** Where messages go (e.g. `process.stdout`, a child's stdin). */
  readonly output: Writable;
  /**
   * End `output` when the transport closes. Leave it off for `process.stdout`.
   * @default true
   */
  readonly endOutputOnClose?: boolean;
  /**
   * Longest line accepted, in bytes; a longer one is dropped with an error.
   * @default 10 MiB
   */
  readonly maxLineBytes?: number;
}

/**
 * An MCP {@link Transport} over newline-delimited JSON (the stdio framing), without schema
 * validation: every line that parses as a JSON object is delivered as is, others go to
 * {@link onrawline}. Writes never reject: a peer that has gone away is reported once through
 * `onerror` and later messages are dropped, since servers keep sending after a client has left.
 * {@link sendRaw} writes text verbatim, which the MCP chaos proxy uses for truncated frames.
 */
export class LineTransport implements Transport {
  readonly #input: Readable;
  readonly #output: Writable;
  readonly #endOutput: boolean;
  readonly #maxLineBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #started = false;
  #closed = false;
  #broken = false;

  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage) => void) | undefined;
  /** A line that is not a JSON object; without a handler it is reported through `onerror`. */
  onrawline?: ((line: string) => void) | undefined;

  constructor(options: LineTransportOptions) {
    this.#input = options.input;
    this.#output = options.output;
    this.#endOutput = options.endOutputOnClose ?? true;
    this.#maxLineBytes = assertInteger(
      'LineTransport',
      'maxLineBytes',
      options.maxLineBytes ?? 10 * 1024 * 1024,
      1,
    );
  }

  /** True once the transport has closed. */
  get closed(): boolean {
    return this.#closed;
  }

  start(): Promise<void> {
    if (this.#started) return Promise.reject(new Error('LineTransport already started'));
    this.#started = true;
    this.#input.on('data', this.#onData);
    this.#input.on('end', this.#onEnd);
    this.#input.on('close', this.#onEnd);
    this.#input.on('error', this.#onInputError);
    this.#output.on('error', this.#onOutputError);
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    return this.sendRaw(`${JSON.stringify(message)}\n`);
  }

  /** Writes `text` as it is (add the newline yourself). */
  sendRaw(text: string): Promise<void> {
    const output = this.#output;
    if (this.#closed || this.#broken || output.destroyed || output.writableEnded) {
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      let ok: boolean;
      try {
        ok = output.write(text);
      } catch (error) {
        this.#onOutputError(error as Error);
        resolve();
        return;
      }
      if (ok) {
        resolve();
        return;
      }
      const done = (): void => {
        output.off('drain', done);
        output.off('close', done);
        output.off('error', done);
        resolve();
      };
      output.on('drain', done);
      output.on('close', done);
      output.on('error', done);
    });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#input.off('data', this.#onData);
    this.#input.off('end', this.#onEnd);
    this.#input.off('close', this.#onEnd);
    if (this.#input.listenerCount('data') === 0) this.#input.pause();
    if (this.#endOutput && !this.#output.destroyed && !this.#output.writableEnded) {
      try {
        this.#output.end();
      } catch {
        // Already unusable: nothing to flush.
      }
    }
    this.#chunks = [];
    this.#buffered = 0;
    this.onclose?.();
    return Promise.resolve();
  }

  readonly #onData = (chunk: Buffer | string): void => {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (;;) {
      const newline = data.indexOf(10, start);
      if (newline === -1) break;
      const piece = data.subarray(start, newline);
      start = newline + 1;
      let line: Buffer;
      if (this.#chunks.length === 0) line = piece;
      else {
        this.#chunks.push(piece);
        line = Buffer.concat(this.#chunks);
        this.#chunks = [];
        this.#buffered = 0;
      }
      this.#line(line.toString('utf8'));
      if (this.#closed) return;
    }
    if (start < data.length) {
      const rest = data.subarray(start);
      this.#buffered += rest.length;
      if (this.#buffered > this.#maxLineBytes) {
        this.#chunks = [];
        this.#buffered = 0;
        this.onerror?.(new Error(`a line exceeded ${this.#maxLineBytes} bytes and was dropped`));
        return;
      }
      this.#chunks.push(rest);
    }
  };

  #line(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      this.onmessage?.(parsed as JSONRPCMessage);
      return;
    }
    if (this.onrawline !== undefined) this.onrawline(line);
    else this.onerror?.(new SyntaxError(`not a JSON-RPC message: ${line.slice(0, 200)}`));
  }

  readonly #onEnd = (): void => {
    void this.close();
  };

  readonly #onInputError = (error: Error): void => {
    this.onerror?.(error);
  };

  readonly #onOutputError = (error: Error): void => {
    if (this.#broken) return;
    this.#broken = true;
    this.onerror?.(error);
  };
}
