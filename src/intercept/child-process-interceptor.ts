import childProcess, { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { syncBuiltinESMExports } from 'node:module';
import { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { injectedFaultInfo, markInjected, type TimerHandle } from '../core/index.ts';
import type { ChaosScope, InjectionSite } from '../faults/index.ts';
import { activeScope, trackCall } from './active-scope.ts';
import { nativeEffects, runWaits, type NativeEffects } from './apply-plan.ts';
import { interceptorHandle, type InterceptorHandle } from './interceptor-handle.ts';
import { transformContent } from './payload.ts';

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;
type ExecCallback = (error: Error | null, stdout: unknown, stderr: unknown) => void;
type Kind = 'spawn' | 'exec' | 'execFile';
type Emit = (event: string | symbol, ...args: unknown[]) => boolean;

/** A call's arguments, sorted out. */
interface Launch {
  readonly kind: Kind;
  /** The program (`spawn`, `execFile`) or the shell command line (`exec`). */
  readonly command: string;
  readonly args: readonly string[];
  readonly options: Readonly<Record<string, unknown>> | undefined;
  readonly callback: ExecCallback | undefined;
}

/** How a child is reported to have ended. */
type Outcome = { readonly code: number } | { readonly signal: NodeJS.Signals };

let installs = 0;
let depth = 0; // > 0 while an original runs: `exec` calls the exported `execFile` itself
let restore: (() => void) | undefined;

function parse(kind: Kind, callArgs: readonly unknown[]): Launch {
  const command = String(callArgs[0]);
  let rest = callArgs.slice(1);
  let args: string[] = [];
  if (kind !== 'exec' && Array.isArray(rest[0])) {
    args = (rest[0] as unknown[]).map(String);
    rest = rest.slice(1);
  }
  const options = rest.find(
    (a): a is Record<string, unknown> => typeof a === 'object' && a !== null && !Array.isArray(a),
  );
  const last = callArgs[callArgs.length - 1];
  const callback =
    kind !== 'spawn' && typeof last === 'function' ? (last as ExecCallback) : undefined;
  return { kind, command, args, options, callback };
}

function signalOf(options: Launch['options']): AbortSignal | undefined {
  const signal = options?.signal;
  return signal instanceof AbortSignal ? signal : undefined;
}

/** How an injected error ends the child: its signal, its numeric exit code, else exit code 1. */
function outcomeOf(error: Error): Outcome {
  const e = error as Error & { code?: unknown; signal?: unknown };
  if (typeof e.signal === 'string') return { signal: e.signal as NodeJS.Signals };
  if (typeof e.code === 'number' && e.code > 0) return { code: e.code };
  return { code: 1 };
}

function killSignalOf(error: Error): NodeJS.Signals {
  const signal = (error as Error & { signal?: unknown }).signal;
  return typeof signal === 'string' ? (signal as NodeJS.Signals) : 'SIGKILL';
}

/** Marks an error Node built (e.g. exec's "Command failed") as caused by the injected `cause`. */
function markLike(error: unknown, cause: Error | undefined): void {
  if (cause === undefined || typeof error !== 'object' || error === null) return;
  const info = injectedFaultInfo(cause);
  if (info !== undefined) markInjected(error, info);
}

function wantsPipe(stdio: unknown, fd: number): boolean {
  if (stdio === undefined || stdio === null || stdio === 'pipe' || stdio === 'overlapped') {
    return true;
  }
  if (Array.isArray(stdio)) return wantsPipe(stdio[fd] ?? 'pipe', fd);
  return false;
}

function emptyOutput(options: Launch['options']): string | Buffer {
  const encoding = options?.encoding;
  return encoding === 'buffer' || (typeof encoding === 'string' && !Buffer.isEncoding(encoding))
    ? Buffer.alloc(0)
    : '';
}

/**
 * A child that could not be started, as Node reports one: a `ChildProcess` without a pid whose
 * pipes close, that emits `'error'` with the spawn error, then `'close'` with the negative error
 * number; `exec`/`execFile` call back with the error (with `cmd`) and empty output.
 */
function failedChild(
  scope: ChaosScope,
  launch: Launch,
  error: Error,
  effects: NativeEffects,
  ended: (ok: boolean) => void,
): ChildProcess {
  // A ChildProcess that never spawned: its prototype and EventEmitter state, without the native
  // process handle its constructor would create.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  const child = Reflect.construct(EventEmitter, [], ChildProcess) as ChildProcess;
  const stdio = launch.options?.stdio;
  const stdin = wantsPipe(stdio, 0)
    ? new Writable({
        write(_chunk, _encoding, callback) {
          callback();
        },
      })
    : null;
  const output = (fd: number): Readable | null =>
    wantsPipe(stdio, fd)
      ? new Readable({
          read() {
            // Nothing will come: the stream ends when the child is reported closed.
          },
        })
      : null;
  const stdout = output(1);
  const stderr = output(2);
  const e = error as Error & { spawnargs?: unknown; cmd?: unknown };
  if (Array.isArray(e.spawnargs)) e.spawnargs = [...launch.args];
  Object.assign(child, {
    _closesNeeded: 1,
    _closesGot: 0,
    connected: false,
    signalCode: null,
    exitCode: null,
    killed: false,
    spawnfile: launch.command,
    spawnargs: [launch.command, ...launch.args],
    pid: undefined,
    _handle: null,
    stdin,
    stdout,
    stderr,
    stdio: [stdin, stdout, stderr],
  });
  const { callback } = launch;
  if (callback !== undefined) {
    e.cmd = [launch.command, ...launch.args].join(' ');
    child.on('error', (err) => {
      callback(err, emptyOutput(launch.options), emptyOutput(launch.options));
    });
  }
  const report = (failure: unknown): void => {
    const errno = (failure as Error & { errno?: unknown }).errno;
    const code = typeof errno === 'number' && errno < 0 ? errno : -1;
    (child as { exitCode: number | null }).exitCode = code;
    ended(false);
    child.emit('error', failure);
    for (const stream of [stdout, stderr]) {
      stream?.push(null);
      stream?.resume();
    }
    stdin?.destroy();
    process.nextTick(() => child.emit('close', code, null));
  };
  runWaits(scope, effects.waits, signalOf(launch.options)).then(
    () => {
      process.nextTick(report, error);
    },
    (failure: unknown) => {
      process.nextTick(report, failure);
    },
  );
  return child;
}

/**
 * Applies a plan to a child that really runs, by standing between Node and the child's listeners
 * on `'exit'` and `'close'`: a changed exit outcome, a kill mid-run, a delayed report.
 * Returns the error the outcome was injected with, once known (for marking exec's error).
 */
function instrument(
  child: ChildProcess,
  scope: ChaosScope,
  launch: Launch,
  effects: NativeEffects,
  ended: (ok: boolean) => void,
): () => Error | undefined {
  let injected: Error | undefined;
  const lost = effects.cut?.error ?? effects.failAfter;
  let outcome: Outcome | undefined;
  let decided = false;
  let exitArgs: unknown[] | undefined;
  let errored = false;
  let killTimer: TimerHandle | undefined;
  const { interrupt } = effects;
  if (interrupt !== undefined) {
    killTimer = scope.clock.setTimer(interrupt.afterMs, () => {
      killTimer = undefined;
      if (!scope.active || child.exitCode !== null || child.signalCode !== null) return;
      if (child.kill(killSignalOf(interrupt.error))) injected = interrupt.error;
    });
  }
  const emit = child.emit.bind(child) as Emit;
  const held: [string, unknown[]][] = [];
  let holding = effects.waits.length > 0;
  let waiting = false;
  const deliver = (event: string, args: unknown[]): boolean => {
    if (event === 'exit') {
      Object.assign(child, { exitCode: args[0], signalCode: args[1] });
    } else {
      const [code] = args;
      ended(!errored && code === 0);
    }
    return emit(event, ...args);
  };
  const release = (failure: Error | undefined): void => {
    holding = false;
    if (failure !== undefined) {
      injected ??= failure;
      errored = true;
      emit('error', failure);
    }
    for (const [event, args] of held.splice(0)) deliver(event, args);
  };
  const override: Emit = (event, ...args) => {
    if (event === 'error') errored = true;
    if (event !== 'exit' && event !== 'close') return emit(event, ...args);
    if (killTimer !== undefined) {
      scope.clock.clearTimer(killTimer);
      killTimer = undefined;
    }
    if (!decided) {
      decided = true;
      if (lost !== undefined && scope.active) {
        outcome = outcomeOf(lost);
        injected = lost;
      }
    }
    // Node reports 'close' with the child's exitCode/signalCode, which a held 'exit' has hidden.
    const real = event === 'close' && exitArgs !== undefined ? exitArgs : args;
    const reported =
      outcome === undefined
        ? real
        : 'signal' in outcome
          ? [null, outcome.signal]
          : [outcome.code, null];
    if (event === 'exit') exitArgs = reported;
    if (!holding) return deliver(event, reported);
    held.push([event, reported]);
    if (!waiting) {
      waiting = true;
      // Nobody polling the child sees it finished before the delayed report.
      Object.assign(child, { exitCode: null, signalCode: null });
      runWaits(scope, effects.waits, signalOf(launch.options)).then(
        () => {
          release(undefined);
        },
        (failure: unknown) => {
          release(failure as Error);
        },
      );
    }
    return true;
  };
  (child as { emit: Emit }).emit = override;
  return () => injected;
}

function intercept(kind: Kind, original: AnyFunction, self: unknown, callArgs: unknown[]): unknown {
  const runOriginal = (args: unknown[]): ChildProcess => {
    depth++;
    try {
      return original.apply(self, args) as ChildProcess;
    } finally {
      depth--;
    }
  };
  const scope = installs > 0 && depth === 0 ? activeScope() : undefined;
  if (scope === undefined) return runOriginal(callArgs);
  const launch = parse(kind, callArgs);
  const site: InjectionSite = { operation: `child_process.${kind}`, command: launch.command };
  const plan = scope.plan(site);
  if (plan === undefined) {
    if (!scope.killSwitch.watching) return runOriginal(callArgs);
    const child = runOriginal(callArgs);
    instrument(child, scope, launch, nativeEffects({ site, injections: [] }), trackCall(scope));
    return child;
  }
  const effects = nativeEffects(plan);
  const ended = trackCall(scope);
  if (effects.fail !== undefined && scope.active) {
    return failedChild(scope, launch, effects.fail, effects, ended);
  }
  let injectedError: () => Error | undefined = () => undefined;
  const { callback } = launch;
  let args = callArgs;
  if (callback !== undefined) {
    const wrapped: ExecCallback = (error, stdout, stderr) => {
      if (error !== null) markLike(error, injectedError());
      let out = stdout;
      if (error === null) {
        for (const transform of effects.transforms) {
          if (scope.active) out = transformContent(out, transform);
        }
      }
      callback(error, out, stderr);
    };
    args = [...callArgs.slice(0, -1), wrapped];
  }
  const child = runOriginal(args);
  injectedError = instrument(child, scope, launch, effects, ended);
  return child;
}

/** The `util.promisify` form of `exec`/`execFile`: `{ stdout, stderr }`, `.child` attached. */
function promisified(wrapper: AnyFunction): AnyFunction {
  return function (this: unknown, ...args: unknown[]): unknown {
    let child: unknown;
    const promise = new Promise((resolve, reject) => {
      child = wrapper.apply(this, [
        ...args,
        (error: Error | null, stdout: unknown, stderr: unknown) => {
          if (error === null) resolve({ stdout, stderr });
          else reject(Object.assign(error, { stdout, stderr }));
        },
      ]);
    });
    return Object.assign(promise, { child });
  };
}

function patch(): () => void {
  const target = childProcess as unknown as Record<string, unknown>;
  const replaced: { key: string; original: unknown; wrapper: AnyFunction }[] = [];
  for (const kind of ['spawn', 'exec', 'execFile'] as const) {
    const original = target[kind] as AnyFunction;
    const wrapper = function (this: unknown, ...args: unknown[]): unknown {
      return intercept(kind, original, this, args);
    };
    Object.defineProperty(wrapper, 'name', { value: original.name });
    if (kind !== 'spawn') {
      Object.defineProperty(wrapper, promisify.custom, {
        value: promisified(wrapper),
        configurable: true,
      });
    }
    target[kind] = wrapper;
    replaced.push({ key: kind, original, wrapper });
  }
  syncBuiltinESMExports();
  return () => {
    for (const { key, original, wrapper } of replaced) {
      if (target[key] === wrapper) target[key] = original;
    }
    syncBuiltinESMExports();
  };
}

/**
 * Brings PROCESS faults to `node:child_process` without touching application code (ESM named
 * imports and `util.promisify(exec)` / `promisify(execFile)` included): inside a chaos scope,
 * `spawn`, `exec` and `execFile` get the scope's faults; outside, they behave exactly as before.
 *
 * Each call is a site `{ operation: 'child_process.spawn', command }` (`command` is the program,
 * or the command line for `exec`). What the faults do:
 * - `fail` (`process` fault, `spawn-fail`): the child never starts, reported as Node reports it:
 *   `'error'` with `spawn <cmd> ENOENT` (or `EACCES`), then `'close'`; `exec`/`execFile` call
 *   back with the error.
 * - `fail-after` (`exit`): the child really runs, and is reported to exit with the fault's code
 *   (`exec` fails with Node's own "Command failed" error, marked as injected).
 * - `interrupt` (`signal`): the child is really killed with the fault's signal after `afterMs`
 *   on the scope's clock, if still running.
 * - `delay`/`hang`: the child's end (`'exit'`, `'close'`, the callback) is reported that much
 *   later; a hang ends when the call's `signal` option aborts.
 * - `transform`: alters the `stdout` that `exec`/`execFile` hand back.
 * Synchronous forms (`spawnSync`, `execSync`, `execFileSync`) and `fork` are not intercepted.
 *
 * @example
 * ```ts
 * const processChaos = installChildProcessInterceptor();
 * await chaos.run(
 *   { enabled: true, seed: 5, faults: [{ kind: 'process', mode: 'exit', exitCode: 2,
 *     probability: 1, target: { command: 'git' } }] },
 *   () => syncRepository(), // its `git` children are reported to exit with code 2
 * );
 * processChaos.uninstall();
 * ```
 */
export function installChildProcessInterceptor(): InterceptorHandle {
  if (installs++ === 0) restore = patch();
  return interceptorHandle(() => {
    if (--installs > 0) return;
    restore?.();
    restore = undefined;
  });
}
