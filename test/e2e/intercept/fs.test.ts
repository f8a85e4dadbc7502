/**
 * Real files in a temporary directory, with the fs interceptor installed: DISK_IO faults only
 * inside a chaos scope (through ESM named imports, `fs.promises`, callbacks and `Sync` calls),
 * the exact old behaviour outside and after uninstall.
 */
import fs from 'node:fs';
import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock, writeFileAtomic } from '../../../src/core/index.ts';
import {
  chaos,
  isInjectedFault,
  type ChaosConfig,
  type FaultSpec,
} from '../../../src/faults/index.ts';
import { installFsInterceptor, type InterceptorHandle } from '../../../src/intercept/index.ts';
import { rejection, until } from './helpers.ts';

const originalWriteFile = writeFile;
let root: string;
let dir: string;
let handle: InterceptorHandle;
let n = 0;

/** A fault that fires on every call to a file under the test's directory. */
const onDir = (fault: FaultSpec, extra: Partial<ChaosConfig> = {}): ChaosConfig => ({
  enabled: true,
  seed: 'fs',
  killSwitch: false,
  faults: [{ probability: 1, target: { path: `${dir}/*` }, ...fault }],
  ...extra,
});

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'faultline-fs-'));
  handle = installFsInterceptor();
});

beforeEach(async () => {
  dir = join(root, `t${n++}`);
  await fs.promises.mkdir(dir);
});

afterAll(async () => {
  handle.uninstall();
  await fs.promises.rm(root, { recursive: true, force: true });
});

describe('outside a chaos scope', () => {
  it('every form behaves as before', async () => {
    const file = join(dir, 'a.txt');
    await writeFile(file, 'promise');
    expect(await readFile(file, 'utf8')).toBe('promise');
    await new Promise<void>((resolve, reject) => {
      fs.appendFile(file, '+callback', (error) => {
        if (error) reject(error);
        else resolve();
      });
    });
    writeFileSync(join(dir, 'b.txt'), 'sync');
    expect(readFileSync(file, 'utf8')).toBe('promise+callback');
    expect(readFileSync(join(dir, 'b.txt'), 'utf8')).toBe('sync');
  });

  it('real errors are untouched', async () => {
    const error = await rejection(readFile(join(dir, 'missing.txt')));
    expect(error.code).toBe('ENOENT');
    expect(isInjectedFault(error)).toBe(false);
  });
});

describe('DISK_IO faults inside a scope', () => {
  it.each([
    ['ENOSPC', 'write', 'no space left on device'],
    ['EIO', 'write', 'i/o error'],
    ['EACCES', 'open', 'permission denied'],
    ['EROFS', 'open', 'read-only file system'],
  ])(
    '%s: writeFile (named ESM import) rejects as Node does and writes nothing',
    async (code, syscall, text) => {
      const file = join(dir, 'out.txt');
      const error = await chaos.run(onDir({ kind: 'disk', error: code }), () =>
        rejection(writeFile(file, 'data')),
      );
      expect(error.message).toBe(`${code}: ${text}, ${syscall} '${file}'`);
      expect(error.code).toBe(code);
      expect(error.syscall).toBe(syscall);
      expect(error.path).toBe(file);
      expect(typeof error.errno).toBe('number');
      expect(isInjectedFault(error)).toBe(true);
      expect(existsSync(file)).toBe(false);
    },
  );

  it('callback and Sync forms fail too', async () => {
    const file = join(dir, 'cb.txt');
    const [callbackError, syncError] = await chaos.run(onDir({ kind: 'disk' }), async () => {
      const viaCallback = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
        fs.writeFile(file, 'x', resolve);
      });
      let viaSync: unknown;
      try {
        writeFileSync(file, 'x');
      } catch (error) {
        viaSync = error;
      }
      return [viaCallback, viaSync as NodeJS.ErrnoException];
    });
    expect(callbackError?.code).toBe('ENOSPC');
    expect(syncError.code).toBe('ENOSPC');
    expect(existsSync(file)).toBe(false);
  });

  it.each([
    [
      'mkdir',
      (d: string) => fs.promises.mkdir(join(d, 'sub')),
      (d: string) => !existsSync(join(d, 'sub')),
    ],
    [
      'rename',
      (d: string) => fs.promises.rename(join(d, 'keep.txt'), join(d, 'moved.txt')),
      (d: string) => existsSync(join(d, 'keep.txt')),
    ],
    [
      'rm',
      (d: string) => fs.promises.rm(join(d, 'keep.txt')),
      (d: string) => existsSync(join(d, 'keep.txt')),
    ],
    [
      'unlink',
      (d: string) => fs.promises.unlink(join(d, 'keep.txt')),
      (d: string) => existsSync(join(d, 'keep.txt')),
    ],
    [
      'copyFile',
      (d: string) => fs.promises.copyFile(join(d, 'keep.txt'), join(d, 'copy.txt')),
      (d: string) => !existsSync(join(d, 'copy.txt')),
    ],
    [
      'open',
      (d: string) => fs.promises.open(join(d, 'new.txt'), 'w'),
      (d: string) => !existsSync(join(d, 'new.txt')),
    ],
    ['readFile', (d: string) => fs.promises.readFile(join(d, 'keep.txt')), () => true],
  ])(
    'fs.promises.%s fails with the injected error and has no effect',
    async (name, act, untouched) => {
      writeFileSync(join(dir, 'keep.txt'), 'keep');
      const error = await chaos.run(onDir({ kind: 'disk', error: 'EIO' }), async ({ scope }) => {
        const failure = await rejection(act(dir));
        expect(scope.journal.injections.map((i) => i.target.operation)).toEqual([`fs.${name}`]);
        return failure;
      });
      expect(error.code).toBe('EIO');
      expect(untouched(dir)).toBe(true);
    },
  );

  it('a partial write writes that share of the data, then throws', async () => {
    const file = join(dir, 'partial.txt');
    const error = await chaos.run(
      onDir({ kind: 'disk', mode: 'partial-write', fraction: 0.5 }),
      () => rejection(writeFile(file, '0123456789')),
    );
    expect(error.code).toBe('ENOSPC');
    expect(readFileSync(file, 'utf8')).toBe('01234');
  });

  it('a partial append keeps what was there and adds a prefix (callback and Sync forms)', async () => {
    const file = join(dir, 'log.txt');
    writeFileSync(file, 'start|');
    const config = onDir({ kind: 'disk', mode: 'partial-write', fraction: 0.25, error: 'EIO' });
    await chaos.run(config, async () => {
      const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
        fs.appendFile(file, Buffer.from('abcdefgh'), resolve);
      });
      expect(error?.code).toBe('EIO');
      expect(() => {
        fs.appendFileSync(file, 'ABCDEFGH');
      }).toThrow(/EIO/);
      await expect(appendFile(file, '12345678')).rejects.toMatchObject({ code: 'EIO' });
    });
    expect(readFileSync(file, 'utf8')).toBe('start|abAB12');
  });

  it('only the targeted files are affected', async () => {
    const inside = join(dir, 'data', 'x.json');
    fs.mkdirSync(join(dir, 'data'));
    const config = onDir({ kind: 'disk', target: { path: `${dir}/data/*` } });
    await chaos.run(config, async () => {
      await writeFile(join(dir, 'other.json'), '{}');
      await expect(writeFile(inside, '{}')).rejects.toMatchObject({ code: 'ENOSPC' });
    });
    expect(existsSync(join(dir, 'other.json'))).toBe(true);
    expect(existsSync(inside)).toBe(false);
  });

  it("Node's own nested calls are not intercepted twice (fs.writeFile opens through fs.open)", async () => {
    const file = join(dir, 'nested.txt');
    const config = onDir({ kind: 'disk', target: { operation: 'fs.open', path: `${dir}/*` } });
    const direct = await chaos.run(config, async ({ scope }) => {
      await new Promise<void>((resolve, reject) => {
        fs.writeFile(file, 'nested', (error) => {
          if (error) reject(error);
          else resolve();
        });
      });
      expect(scope.journal.injections).toHaveLength(0);
      return new Promise<NodeJS.ErrnoException | null>((resolve) => {
        fs.open(file, 'r', (error) => {
          resolve(error);
        });
      });
    });
    expect(readFileSync(file, 'utf8')).toBe('nested');
    expect(direct?.code).toBe('ENOSPC');
  });

  it('a delay waits on the scope clock', async () => {
    const file = join(dir, 'slow.txt');
    writeFileSync(file, 'slow');
    const clock = new VirtualClock();
    await chaos.run(onDir({ kind: 'latency', ms: 2000 }, { clock }), async () => {
      let text: string | undefined;
      const read = readFile(file, 'utf8').then((t) => (text = t));
      await until(() => clock.pending > 0);
      await clock.advance(1999);
      expect(text).toBeUndefined();
      await clock.advance(1);
      await read;
      expect(text).toBe('slow');
    });
  });

  it('a corruption transforms what readFile returns', async () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ retries: 3, name: 'svc' }));
    const config = onDir({ kind: 'corruption', mode: 'drop-fields', fields: ['retries'] });
    const [asText, asBuffer] = await chaos.run(config, async () => [
      await readFile(file, 'utf8'),
      await readFile(file),
    ]);
    expect(JSON.parse(asText)).toEqual({ name: 'svc' });
    expect(Buffer.isBuffer(asBuffer)).toBe(true);
    expect(JSON.parse(asBuffer.toString())).toEqual({ name: 'svc' });
  });

  it('writeFileAtomic never leaves a torn file, whichever step fails', async () => {
    const file = join(dir, 'state.json');
    writeFileSync(file, '{"v":1}');
    for (const operation of ['fs.open', 'fs.rename']) {
      const config = onDir({
        kind: 'disk',
        error: 'ENOSPC',
        target: { operation, path: `${dir}/*` },
      });
      const error = await chaos.run(config, () => rejection(writeFileAtomic(file, '{"v":2}')));
      expect(error.code).toBe('ENOSPC');
      expect(readFileSync(file, 'utf8')).toBe('{"v":1}');
      expect(fs.readdirSync(dir)).toEqual(['state.json']); // the temp file was cleaned up
    }
    await chaos.run(onDir({ kind: 'disk', probability: 0 }), () =>
      writeFileAtomic(file, '{"v":3}'),
    );
    expect(readFileSync(file, 'utf8')).toBe('{"v":3}');
  });
});

describe('only inside a scope (property)', () => {
  it('writes outside any scope always land whole; inside, every failure is a journaled injection', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (seed, failureRate, program) => {
          // Each step: a chaos scope doing some writes, then writes outside any scope (some
          // started from inside the scope but run after it ended).
          let k = 0;
          for (const step of program) {
            const late: (() => Promise<void>)[] = [];
            const { failures, injections } = await chaos.run(
              {
                enabled: true,
                seed,
                failureRate,
                types: ['disk'],
                killSwitch: false,
                target: { path: `${dir}/*` },
              },
              async ({ scope }) => {
                let failed = 0;
                for (const deferred of step) {
                  const file = join(dir, `f${String(k++)}`);
                  if (deferred) late.push(() => writeFile(file, 'late'));
                  else await writeFile(file, 'in').catch(() => failed++);
                }
                return { failures: failed, injections: scope.journal.injections.length };
              },
            );
            expect(injections).toBe(failures);
            for (const write of late) await write();
            const file = join(dir, `outside${String(k++)}`);
            await writeFile(file, 'out');
            expect(readFileSync(file, 'utf8')).toBe('out');
          }
          const lateFiles = fs.readdirSync(dir).filter((f) => f.startsWith('f'));
          for (const f of lateFiles)
            expect(['in', 'late']).toContain(readFileSync(join(dir, f), 'utf8'));
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('uninstall', () => {
  it('restores the original functions (named imports included); faults no longer apply', async () => {
    const second = installFsInterceptor();
    handle.uninstall();
    expect(fs.promises.writeFile).not.toBe(originalWriteFile); // still installed once
    second.uninstall();
    second.uninstall();
    const { writeFile: fresh } = await import('node:fs/promises');
    expect(fresh).toBe(originalWriteFile);
    expect(fs.promises.writeFile).toBe(originalWriteFile);

    const file = join(dir, 'after.txt');
    await chaos.run(onDir({ kind: 'disk' }), () => writeFile(file, 'ok'));
    expect(readFileSync(file, 'utf8')).toBe('ok');
    handle = installFsInterceptor();
  });
});
