import { AsyncResource } from 'node:async_hooks';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { InjectionSite } from '../faults/index.ts';
import { activeScope, runOriginal, trackCall, tracked } from './active-scope.ts';
import { applyPlan, applyPlanSync } from './apply-plan.ts';
import { interceptorHandle, type InterceptorHandle } from './interceptor-handle.ts';
import { transformContent } from './payload.ts';

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;
type Callback = (error: unknown, ...results: unknown[]) => void;

/** A file-system call the interceptor covers, in its promise, callback and `Sync` forms. */
interface FsOperation {
  readonly name: string;
  /** The argument naming the file the call affects (the destination for copies and moves). */
  readonly pathArg: number;
  /** Writes argument 1 to the file: a partial write writes a prefix of it. */
  readonly writes?: boolean;
  /** Returns content (file data, directory entries) that a transform may alter. */
  readonly reads?: boolean;
}

const operations: readonly FsOperation[] = [
  { name: 'writeFile', pathArg: 0, writes: true },
  { name: 'appendFile', pathArg: 0, writes: true },
  { name: 'readFile', pathArg: 0, reads: true },
  { name: 'readdir', pathArg: 0, reads: true },
  { name: 'open', pathArg: 0 },
  { name: 'mkdir', pathArg: 0 },
  { name: 'mkdtemp', pathArg: 0 },
  { name: 'rm', pathArg: 0 },
  { name: 'rmdir', pathArg: 0 },
  { name: 'unlink', pathArg: 0 },
  { name: 'stat', pathArg: 0 },
  { name: 'lstat', pathArg: 0 },
  { name: 'access', pathArg: 0 },
  { name: 'truncate', pathArg: 0 },
  { name: 'chmod', pathArg: 0 },
  { name: 'utimes', pathArg: 0 },
  { name: 'readlink', pathArg: 0 },
  { name: 'realpath', pathArg: 0 },
  { name: 'rename', pathArg: 1 },
  { name: 'copyFile', pathArg: 1 },
  { name: 'cp', pathArg: 1 },
  { name: 'link', pathArg: 1 },
  { name: 'symlink', pathArg: 1 },
];

let installs = 0;
let restore: (() => void) | undefined;

function pathOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString();
  if (value instanceof URL) {
    try {
      return fileURLToPath(value);
    } catch {
      return value.href;
    }
  }
  return undefined; // a file descriptor or FileHandle
}

function siteOf(operation: string, target: unknown): InjectionSite {
  const path = pathOf(target);
  return path === undefined ? { operation } : { operation, path };
}

/** The bytes a write would write, when they are known up front (not a stream or iterable). */
function bytesOf(data: unknown, options: unknown): Buffer | undefined {
  if (typeof data === 'string') {
    const encoding =
      typeof options === 'string'
        ? options
        : typeof options === 'object' && options !== null && 'encoding' in options
          ? options.encoding
          : undefined;
    return Buffer.from(data, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/** The arguments of the same write with only the first `fraction` of the data. */
function prefixArgs(args: readonly unknown[], bytes: Buffer, fraction: number): unknown[] {
  return [args[0], bytes.subarray(0, Math.floor(bytes.length * fraction)), ...args.slice(2)];
}

function wrapPromise(op: FsOperation, original: AnyFunction): AnyFunction {
  const operation = `fs.${op.name}`;
  return function (this: unknown, ...args: unknown[]): unknown {
    const scope = installs > 0 ? activeScope() : undefined;
    if (scope === undefined) return original.apply(this, args);
    const plan = scope.plan(siteOf(operation, args[op.pathArg]));
    const call = (callArgs: unknown[]): Promise<unknown> =>
      runOriginal(() => original.apply(this, callArgs) as Promise<unknown>);
    if (plan === undefined) return tracked(scope, () => call(args));
    const bytes = op.writes === true ? bytesOf(args[1], args[2]) : undefined;
    return tracked(scope, () =>
      applyPlan(scope, plan, {
        run: () => call(args),
        partial: bytes && ((fraction) => call(prefixArgs(args, bytes, fraction))),
        transform: op.reads === true ? transformContent : undefined,
      }),
    );
  };
}

function wrapCallback(op: FsOperation, original: AnyFunction): AnyFunction {
  const operation = `fs.${op.name}`;
  return function (this: unknown, ...args: unknown[]): unknown {
    const scope = installs > 0 ? activeScope() : undefined;
    const callback = args[args.length - 1];
    if (scope === undefined || typeof callback !== 'function') return original.apply(this, args);
    const head = args.slice(0, -1);
    const plan = scope.plan(siteOf(operation, head[op.pathArg]));
    // The caller's callback runs in the caller's async context, not the original call's.
    const done = AsyncResource.bind(callback as Callback);
    if (plan === undefined && !scope.killSwitch.watching) {
      return runOriginal(() => original.apply(this, [...head, done]));
    }
    const call = (callArgs: unknown[]): Promise<unknown[]> =>
      new Promise<unknown[]>((resolve, reject: (error: Error) => void) => {
        const settle: Callback = (error, ...results) => {
          if (error !== null && error !== undefined) reject(error as Error);
          else resolve(results);
        };
        runOriginal(() => original.apply(this, [...callArgs, settle]));
      });
    const bytes = op.writes === true ? bytesOf(head[1], head[2]) : undefined;
    const work = tracked(scope, () =>
      plan === undefined
        ? call(head)
        : applyPlan(scope, plan, {
            run: () => call(head),
            partial: bytes && ((fraction) => call(prefixArgs(head, bytes, fraction))),
            transform:
              op.reads === true
                ? (results, transform) => [
                    transformContent(results[0], transform),
                    ...results.slice(1),
                  ]
                : undefined,
          }),
    );
    work.then(
      (results) => {
        done(null, ...results);
      },
      (error: unknown) => {
        done(error);
      },
    );
    return undefined;
  };
}

function wrapSync(op: FsOperation, original: AnyFunction): AnyFunction {
  const operation = `fs.${op.name}Sync`;
  return function (this: unknown, ...args: unknown[]): unknown {
    const scope = installs > 0 ? activeScope() : undefined;
    if (scope === undefined) return original.apply(this, args);
    const plan = scope.plan(siteOf(operation, args[op.pathArg]));
    const call = (callArgs: unknown[]): unknown =>
      runOriginal(() => original.apply(this, callArgs));
    const ended = trackCall(scope);
    try {
      let value: unknown;
      if (plan === undefined) {
        value = call(args);
      } else {
        const bytes = op.writes === true ? bytesOf(args[1], args[2]) : undefined;
        value = applyPlanSync(scope, plan, {
          run: () => call(args),
          partial: bytes && ((fraction) => call(prefixArgs(args, bytes, fraction))),
          transform: op.reads === true ? transformContent : undefined,
        });
      }
      ended(true);
      return value;
    } catch (error) {
      ended(false);
      throw error;
    }
  };
}

/** Gives `wrapper` the extra properties of `original` (e.g. `fs.realpath.native`). */
function withPropertiesOf(wrapper: AnyFunction, original: AnyFunction): AnyFunction {
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'length' || key === 'name' || key === 'prototype') continue;
    const descriptor = Object.getOwnPropertyDescriptor(original, key);
    if (descriptor !== undefined) Object.defineProperty(wrapper, key, descriptor);
  }
  Object.defineProperty(wrapper, 'name', { value: original.name });
  return wrapper;
}

function patch(): () => void {
  const callbacks = fs as unknown as Record<string, unknown>;
  const promises = fs.promises as unknown as Record<string, unknown>;
  const replaced: {
    target: Record<string, unknown>;
    key: string;
    original: unknown;
    wrapper: unknown;
  }[] = [];
  const replace = (
    target: Record<string, unknown>,
    key: string,
    wrap: (original: AnyFunction) => AnyFunction,
  ): void => {
    const original = target[key];
    if (typeof original !== 'function') return;
    const wrapper = withPropertiesOf(wrap(original as AnyFunction), original as AnyFunction);
    target[key] = wrapper;
    replaced.push({ target, key, original, wrapper });
  };
  for (const op of operations) {
    replace(promises, op.name, (original) => wrapPromise(op, original));
    replace(callbacks, op.name, (original) => wrapCallback(op, original));
    replace(callbacks, `${op.name}Sync`, (original) => wrapSync(op, original));
  }
  // ESM named imports of built-ins (`import { writeFile } from 'node:fs/promises'`) are copies
  // of the module's properties: this updates them.
  syncBuiltinESMExports();
  return () => {
    for (const { target, key, original, wrapper } of replaced) {
      if (target[key] === wrapper) target[key] = original;
    }
    syncBuiltinESMExports();
  };
}

/**
 * Brings DISK_IO faults to `node:fs` and `node:fs/promises` without touching application code
 * (ESM named imports included): inside a chaos scope, file-system calls get the scope's faults;
 * outside, they behave exactly as before.
 *
 * Covered, in promise, callback and `Sync` form: `writeFile`, `appendFile`, `readFile`,
 * `readdir`, `open`, `mkdir`, `mkdtemp`, `rm`, `rmdir`, `unlink`, `stat`, `lstat`, `access`,
 * `truncate`, `chmod`, `utimes`, `readlink`, `realpath`, `rename`, `copyFile`, `cp`, `link`,
 * `symlink`. Each call is a site `{ operation: 'fs.writeFile', path }` (`'fs.writeFileSync'`
 * for the sync form; `path` is the destination of copies, moves and links). Methods of an open
 * `FileHandle`, streams' own writes and descriptor calls (`fs.write`) are not intercepted, but
 * streams open their file through `fs.open`, which is.
 *
 * What the faults do: `fail` throws the error (`ENOSPC: no space left on device, write
 * '/path'`) without touching the file; a partial write (or a crash at N% progress) of
 * `writeFile`/`appendFile` writes that share of the data and then throws (other calls run and
 * then throw); delays and hangs wait on the scope's clock (skipped by `Sync` calls, which
 * cannot wait); transforms alter what `readFile` and `readdir` return.
 *
 * Node's module loader reads through `fs` too: target faults by `path` (or `operation`) so
 * that a scope's disk faults hit the files you mean.
 *
 * @example
 * ```ts
 * const fsChaos = installFsInterceptor();
 * await chaos.run(
 *   { enabled: true, seed: 3, faults: [{ kind: 'disk', error: 'ENOSPC', probability: 1,
 *     target: { path: '/var/data/*' } }] },
 *   () => saveCheckpoint(state), // its writeFile rejects with ENOSPC
 * );
 * fsChaos.uninstall();
 * ```
 */
export function installFsInterceptor(): InterceptorHandle {
  if (installs++ === 0) restore = patch();
  return interceptorHandle(() => {
    if (--installs > 0) return;
    restore?.();
    restore = undefined;
  });
}
