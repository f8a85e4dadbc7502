import { createSystemError } from '../errors/system-error.ts';
import type { FaultFactory, FaultSpec } from '../types.ts';

/** The file-system failures the `disk` fault can inject. */
export type DiskErrorCode = 'ENOSPC' | 'EIO' | 'EACCES' | 'EROFS';

const codes: readonly DiskErrorCode[] = ['ENOSPC', 'EIO', 'EACCES', 'EROFS'];

/** Spec of a `disk` fault (alias `disk-io`). */
export interface DiskFaultSpec extends FaultSpec {
  readonly kind: 'disk';
  /**
   * Which error; with several, each injection picks one at random.
   * @default 'ENOSPC'
   */
  readonly error?: DiskErrorCode | readonly DiskErrorCode[];
  /**
   * `'fail'`: the call fails. `'partial-write'`: only `fraction` of the data is written, then
   * the error (interceptors write the prefix; a wrapped function runs and then fails).
   * @default 'fail'
   */
  readonly mode?: 'fail' | 'partial-write';
  /**
   * `'partial-write'` only: the share of the data written (0..1); drawn at random when absent.
   * @default a uniform draw in [0.1, 0.9)
   */
  readonly fraction?: number;
  /**
   * The system call named in the error.
   * @default 'open' for EACCES and EROFS, 'write' otherwise
   */
  readonly syscall?: string;
}

/** Factory of the `disk` kind. */
export const diskFault: FaultFactory = (read) => {
  const errors = read.oneOrMany('error', codes) ?? ['ENOSPC'];
  const mode = read.oneOf('mode', ['fail', 'partial-write']) ?? 'fail';
  const fraction = read.number('fraction', { min: 0, max: 1 });
  const syscall = read.string('syscall');
  if (mode !== 'partial-write' && fraction !== undefined) {
    read.fail('fraction', fraction, "absent unless mode is 'partial-write'");
  }
  return {
    effect({ random, site }) {
      const code = errors.length === 1 ? (errors[0] as DiskErrorCode) : random.pick(errors);
      const error = createSystemError(code, {
        syscall: syscall ?? (code === 'EACCES' || code === 'EROFS' ? 'open' : 'write'),
        path: site.path,
      });
      if (mode === 'fail') return { type: 'fail', error };
      return { type: 'partial-write', fraction: fraction ?? random.float(0.1, 0.9), error };
    },
  };
};
