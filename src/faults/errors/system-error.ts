import { constants } from 'node:os';

/** An error shaped like the ones Node's `net`, `dns`, `fs` and `child_process` modules throw. */
export interface NodeSystemError extends Error {
  /** E.g. `ECONNRESET`, `ENOSPC`, `ENOENT`. */
  readonly code: string;
  /** The negative libuv error number, as Node reports it. */
  readonly errno: number;
  /** The system call that failed, e.g. `connect`, `write`, `spawn node`. */
  readonly syscall: string;
  readonly path?: string;
  readonly address?: string;
  readonly port?: number;
  readonly hostname?: string;
  readonly spawnargs?: readonly string[];
}

/** Where a system error happened; which fields appear depends on the call. */
export interface SystemErrorDetails {
  readonly syscall: string;
  readonly path?: string | undefined;
  readonly address?: string | undefined;
  readonly port?: number | undefined;
  readonly hostname?: string | undefined;
  readonly spawnargs?: readonly string[] | undefined;
}

/** libuv's descriptions, as Node prints them in `fs` error messages. */
const descriptions: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EIO: 'i/o error',
  EACCES: 'permission denied',
  EROFS: 'read-only file system',
  ENOENT: 'no such file or directory',
  EPERM: 'operation not permitted',
  EMFILE: 'too many open files',
  EEXIST: 'file already exists',
};

const dnsErrno: Readonly<Record<string, number>> = { ENOTFOUND: -3008, EAI_AGAIN: -3001 };

function errnoOf(code: string): number {
  const dns = dnsErrno[code];
  if (dns !== undefined) return dns;
  const value = (constants.errno as Readonly<Record<string, number | undefined>>)[code];
  return value === undefined ? -1 : -value;
}

function messageOf(code: string, details: SystemErrorDetails): string {
  const description = descriptions[code];
  if (description !== undefined && !details.syscall.startsWith('spawn')) {
    return `${code}: ${description}, ${details.syscall}${details.path === undefined ? '' : ` '${details.path}'`}`;
  }
  if (details.hostname !== undefined && details.syscall === 'getaddrinfo') {
    return `getaddrinfo ${code} ${details.hostname}`;
  }
  let where = '';
  if (details.address !== undefined) {
    where = ` ${details.address}${details.port === undefined ? '' : `:${details.port}`}`;
  }
  return `${details.syscall} ${code}${where}`;
}

/**
 * Creates an error like the ones Node throws for a failed system call: the same message format,
 * `code`, negative `errno`, `syscall` and, when given, `path`, `address`, `port`, `hostname`,
 * `spawnargs`.
 *
 * @example
 * ```ts
 * createSystemError('ECONNREFUSED', { syscall: 'connect', address: '127.0.0.1', port: 443 });
 * // Error: connect ECONNREFUSED 127.0.0.1:443 { code: 'ECONNREFUSED', errno: -111, ... }
 * ```
 */
export function createSystemError(code: string, details: SystemErrorDetails): NodeSystemError {
  const error = new Error(messageOf(code, details)) as Error & Record<string, unknown>;
  error.errno = errnoOf(code);
  error.code = code;
  error.syscall = details.syscall;
  if (details.path !== undefined) error.path = details.path;
  if (details.address !== undefined) error.address = details.address;
  if (details.port !== undefined) error.port = details.port;
  if (details.hostname !== undefined) error.hostname = details.hostname;
  if (details.spawnargs !== undefined) error.spawnargs = [...details.spawnargs];
  return error as unknown as NodeSystemError;
}

/** True when `error` carries a string `code` and a numeric `errno`, as Node's system errors do. */
export function isNodeSystemError(error: unknown): error is NodeSystemError {
  if (!(error instanceof Error)) return false;
  const e = error as Error & { code?: unknown; errno?: unknown };
  return typeof e.code === 'string' && typeof e.errno === 'number';
}
