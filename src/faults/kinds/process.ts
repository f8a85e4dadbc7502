import { createSystemError } from '../errors/system-error.ts';
import type { FaultFactory, FaultSpec } from '../types.ts';

/** What `child_process.execFile` (promisified) rejects with when the child fails. */
export interface ChildProcessFailure extends Error {
  /** The exit code, or `null` when a signal killed the child. */
  readonly code: number | null;
  /** True when the child was killed (by a signal). */
  readonly killed: boolean;
  /** The signal that killed the child, or `null`. */
  readonly signal: string | null;
  /** The command line. */
  readonly cmd: string;
  readonly stdout: string;
  readonly stderr: string;
}

/** Creates an error like the one Node gives when a child exits non-zero or dies from a signal. */
export function childProcessFailure(
  command: string,
  outcome: { exitCode: number } | { signal: string },
): ChildProcessFailure {
  const error = new Error(`Command failed: ${command}`) as Error & Record<string, unknown>;
  const bySignal = 'signal' in outcome;
  error.code = bySignal ? null : outcome.exitCode;
  error.killed = bySignal;
  error.signal = bySignal ? outcome.signal : null;
  error.cmd = command;
  error.stdout = '';
  error.stderr = '';
  return error as unknown as ChildProcessFailure;
}

/** Spec of a `process` fault. */
export interface ProcessFaultSpec extends FaultSpec {
  readonly kind: 'process';
  /**
   * `'spawn-fail'`: the child cannot start (`spawn <cmd> ENOENT|EACCES`). `'exit'`: it runs and
   * exits with `exitCode`. `'signal'`: it is killed by `signal` after `afterMs`.
   * @default 'spawn-fail'
   */
  readonly mode?: 'spawn-fail' | 'exit' | 'signal';
  /**
   * `'spawn-fail'`: the error.
   * @default 'ENOENT'
   */
  readonly error?: 'ENOENT' | 'EACCES';
  /**
   * `'exit'`: the exit code (1..255).
   * @default 1
   */
  readonly exitCode?: number;
  /**
   * `'signal'`: the signal.
   * @default 'SIGKILL'
   */
  readonly signal?: string;
  /**
   * `'signal'`: how long the child runs before it is killed, in milliseconds.
   * @default 0
   */
  readonly afterMs?: number;
  /**
   * The command named in errors.
   * @default the site's `command`, else its `operation`
   */
  readonly command?: string;
}

/** Factory of the `process` kind. */
export const processFault: FaultFactory = (read) => {
  const mode = read.oneOf('mode', ['spawn-fail', 'exit', 'signal']) ?? 'spawn-fail';
  const code = read.oneOf('error', ['ENOENT', 'EACCES']) ?? 'ENOENT';
  const exitCode = read.number('exitCode', { min: 1, max: 255, integer: true }) ?? 1;
  const signal = read.string('signal') ?? 'SIGKILL';
  if (!/^SIG[A-Z0-9]+$/.test(signal))
    read.fail('signal', signal, "a signal name such as 'SIGKILL'");
  const afterMs = read.number('afterMs', { min: 0 }) ?? 0;
  const command = read.string('command');
  return {
    effect({ site }) {
      const cmd = command ?? site.command ?? site.operation;
      switch (mode) {
        case 'spawn-fail':
          return {
            type: 'fail',
            error: createSystemError(code, { syscall: `spawn ${cmd}`, path: cmd, spawnargs: [] }),
          };
        case 'exit':
          return { type: 'fail-after', error: childProcessFailure(cmd, { exitCode }) };
        case 'signal':
          return { type: 'interrupt', afterMs, error: childProcessFailure(cmd, { signal }) };
      }
    },
  };
};
