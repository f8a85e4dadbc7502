import { spawn, type ChildProcess } from 'node:child_process';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { invalidOption, realClock, type Clock } from '../core/index.ts';
import { LineTransport } from './line-transport.ts';

/** How to start a stdio MCP server. */
export interface StdioUpstreamOptions {
  /** The executable, e.g. `node` or `npx`. */
  readonly command: string;
  /**
   * Its arguments.
   * @default []
   */
  readonly args?: readonly string[];
  /**
   * Extra environment variables, on top of this process's environment.
   * @default {}
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Working directory.
   * @default this process's
   */
  readonly cwd?: string;
  /**
   * Milliseconds `close()` waits for the server to exit after its stdin closes, then again after
   * SIGTERM, before SIGKILL.
   * @default 2000
   */
  readonly closeTimeoutMs?: number;
  /**
   * Times the close grace periods.
   * @default realClock
   */
  readonly clock?: Clock;
}

/** How an upstream server process ended. */
export interface UpstreamExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * A {@link Transport} to an MCP server it spawns: newline-delimited JSON over the child's
 * stdin/stdout, the child's stderr passed through to this process's stderr (never stdout).
 * `onclose` fires when the process has exited; {@link kill} crashes it with SIGKILL.
 */
export class StdioUpstreamTransport implements Transport {
  readonly #options: StdioUpstreamOptions;
  readonly #clock: Clock;
  #child: ChildProcess | undefined;
  #lines: LineTransport | undefined;
  #exit: UpstreamExit | undefined;
  #exited: Promise<void> | undefined;

  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage) => void) | undefined;
  /** A line from the server that is not a JSON object (forwarded verbatim by the proxy). */
  onrawline?: ((line: string) => void) | undefined;

  constructor(options: StdioUpstreamOptions) {
    if (typeof options.command !== 'string' || options.command === '') {
      invalidOption('StdioUpstreamTransport', 'command', options.command, 'a non-empty string');
    }
    this.#options = options;
    this.#clock = options.clock ?? realClock;
  }

  /** The server's process id once started. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** How the process ended, once it has. */
  get exit(): UpstreamExit | undefined {
    return this.#exit;
  }

  /** The command line, for logs and injection sites. */
  get commandLine(): string {
    return [this.#options.command, ...(this.#options.args ?? [])].join(' ');
  }

  start(): Promise<void> {
    if (this.#child !== undefined) {
      return Promise.reject(new Error('StdioUpstreamTransport already started'));
    }
    const { command, args = [], env, cwd } = this.#options;
    return new Promise<void>((resolve, reject) => {
      const child = spawn(command, [...args], {
        stdio: ['pipe', 'pipe', 'inherit'],
        env: env === undefined ? process.env : { ...process.env, ...env },
        ...(cwd === undefined ? {} : { cwd }),
        windowsHide: true,
      });
      this.#child = child;
      const lines = new LineTransport({
        input: child.stdout,
        output: child.stdin,
      });
      this.#lines = lines;
      lines.onmessage = (message) => this.onmessage?.(message);
      lines.onrawline = (line) => {
        if (this.onrawline !== undefined) this.onrawline(line);
        else this.onerror?.(new SyntaxError(`not a JSON-RPC message: ${line.slice(0, 200)}`));
      };
      lines.onerror = (error) => this.onerror?.(error);
      let spawned = false;
      this.#exited = new Promise<void>((done) => {
        child.once('close', (code, signal) => {
          this.#exit = { code, signal };
          void lines.close();
          done();
          if (spawned) this.onclose?.();
        });
      });
      child.once('error', (error) => {
        if (!spawned) reject(error);
        else this.onerror?.(error);
      });
      child.once('spawn', () => {
        spawned = true;
        void lines.start().then(resolve, reject);
      });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return this.#lines?.send(message) ?? Promise.resolve();
  }

  /** Writes `text` verbatim to the server's stdin. */
  sendRaw(text: string): Promise<void> {
    return this.#lines?.sendRaw(text) ?? Promise.resolve();
  }

  /** Crashes the server: SIGKILL, no chance to clean up. `onclose` follows when it has died. */
  kill(): void {
    const child = this.#child;
    if (child !== undefined && this.#exit === undefined) child.kill('SIGKILL');
  }

  /** Closes the server's stdin and waits for it to exit, escalating to SIGTERM, then SIGKILL. */
  async close(): Promise<void> {
    const child = this.#child;
    const exited = this.#exited;
    if (child === undefined || exited === undefined || this.#exit !== undefined) return;
    await this.#lines?.close();
    const grace = this.#options.closeTimeoutMs ?? 2000;
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      if (await this.#within(exited, grace)) return;
      child.kill(signal);
    }
    await exited;
  }

  #within(promise: Promise<void>, ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = this.#clock.setTimer(ms, () => {
        resolve(false);
      });
      void promise.then(() => {
        this.#clock.clearTimer(timer);
        resolve(true);
      });
    });
  }
}
