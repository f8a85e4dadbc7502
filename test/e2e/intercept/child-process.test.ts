/**
 * Real child processes (`process.execPath -e ...`), with the child_process interceptor
 * installed: PROCESS faults only inside a chaos scope, reported the way Node reports the real
 * failures; the exact old behaviour outside and after uninstall.
 */
import { exec, execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/core/index.ts';
import {
  chaos,
  isInjectedFault,
  type ChaosConfig,
  type FaultSpec,
} from '../../../src/faults/index.ts';
import {
  installChildProcessInterceptor,
  type InterceptorHandle,
} from '../../../src/intercept/index.ts';
import { rejection, until } from './helpers.ts';

const node = process.execPath;
const originalSpawn = spawn;
const execFileAsync = (file: string, args: string[]): Promise<{ stdout: string; stderr: string }> =>
  promisify(execFile)(file, args);
let handle: InterceptorHandle;

const always = (fault: FaultSpec, extra: Partial<ChaosConfig> = {}): ChaosConfig => ({
  enabled: true,
  seed: 'cp',
  killSwitch: false,
  faults: [{ probability: 1, ...fault }],
  ...extra,
});

interface Observed {
  events: unknown[][];
  stdout: string;
}

/** Records a child's lifecycle events (errors as their code/syscall/path/spawnargs). */
function observe(child: ChildProcess, replace?: (value: string) => string): Promise<Observed> {
  const events: unknown[][] = [];
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const norm = (v: unknown): unknown => (typeof v === 'string' && replace ? replace(v) : v);
  child.on('spawn', () => events.push(['spawn']));
  child.on('error', (e: NodeJS.ErrnoException & { spawnargs?: string[] }) =>
    events.push([
      'error',
      norm(e.message),
      e.code,
      e.errno,
      norm(e.syscall),
      norm(e.path),
      e.spawnargs,
    ]),
  );
  child.on('exit', (code, signal) => events.push(['exit', code, signal]));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      events.push(['close', code, signal]);
      resolve({ events, stdout });
    });
  });
}

beforeAll(() => {
  handle = installChildProcessInterceptor();
});

afterAll(() => {
  handle.uninstall();
});

describe('outside a chaos scope', () => {
  it('spawn, exec and promisified execFile behave as before', async () => {
    const seen = await observe(spawn(node, ['-e', 'process.stdout.write("hi"); process.exit(3)']));
    expect(seen).toEqual({
      events: [['spawn'], ['exit', 3, null], ['close', 3, null]],
      stdout: 'hi',
    });
    const { stdout, stderr } = await execFileAsync(node, [
      '-e',
      'console.log("out"); console.error("err")',
    ]);
    expect({ stdout, stderr }).toEqual({ stdout: 'out\n', stderr: 'err\n' });
    const viaExec = await new Promise<string>((resolve, reject) => {
      exec(`"${node}" -e "console.log(6 * 7)"`, (error, out) => {
        if (error) reject(error);
        else resolve(out);
      });
    });
    expect(viaExec).toBe('42\n');
  });
});

describe('spawn failures inside a scope', () => {
  it('ENOENT is reported exactly as Node reports a missing program', async () => {
    const missing = 'faultline-no-such-program';
    const real = await observe(spawn(missing, ['a', 'b']));
    const injected = await chaos.run(always({ kind: 'process', mode: 'spawn-fail' }), () => {
      const child = spawn(node, ['a', 'b']);
      expect(child.pid).toBeUndefined();
      return observe(child, (v) => v.replace(node, missing));
    });
    expect(injected).toEqual(real);
    expect(injected.events).toEqual([
      ['error', `spawn ${missing} ENOENT`, 'ENOENT', -2, `spawn ${missing}`, missing, ['a', 'b']],
      ['close', -2, null],
    ]);
  });

  it('EACCES', async () => {
    const seen = await chaos.run(
      always({ kind: 'process', mode: 'spawn-fail', error: 'EACCES' }),
      () => observe(spawn(node, ['-e', '1'])),
    );
    expect(seen.events).toEqual([
      ['error', `spawn ${node} EACCES`, 'EACCES', -13, `spawn ${node}`, node, ['-e', '1']],
      ['close', -13, null],
    ]);
  });

  it('promisified execFile rejects like a real missing program (cmd, empty output)', async () => {
    const missing = 'faultline-no-such-program';
    const real = await rejection(execFileAsync(missing, ['x']));
    const injected = await chaos.run(always({ kind: 'process', mode: 'spawn-fail' }), () =>
      rejection(execFileAsync(node, ['x'])),
    );
    const shape = (e: Record<string, unknown>, cmd: string) => ({
      message: (e.message as string).replace(cmd, 'CMD'),
      code: e.code,
      errno: e.errno,
      cmd: (e.cmd as string).replace(cmd, 'CMD'),
      stdout: e.stdout,
      stderr: e.stderr,
    });
    expect(shape(injected, node)).toEqual(shape(real, missing));
    expect(isInjectedFault(injected)).toBe(true);
    expect(isInjectedFault(real)).toBe(false);
  });
});

describe('children that run and fail inside a scope', () => {
  it('exit: the child really runs and is reported to exit with the fault code', async () => {
    const seen = await chaos.run(
      always({ kind: 'process', mode: 'exit', exitCode: 7 }),
      async () => {
        const child = spawn(node, ['-e', 'process.stdout.write("did the work")']);
        const observed = await observe(child);
        return { ...observed, exitCode: child.exitCode };
      },
    );
    expect(seen).toEqual({
      events: [['spawn'], ['exit', 7, null], ['close', 7, null]],
      stdout: 'did the work',
      exitCode: 7,
    });
  });

  it("exit: exec fails with Node's own 'Command failed' error, marked as injected", async () => {
    const command = `"${node}" -e "console.log('partial output')"`;
    const error = await chaos.run(
      always({ kind: 'process', mode: 'exit', exitCode: 2 }),
      () =>
        new Promise<Error>((resolve) => {
          exec(command, (e, stdout) => {
            resolve(Object.assign(e ?? new Error('no error'), { out: stdout }));
          });
        }),
    );
    expect(error.message).toBe(`Command failed: ${command}\n`);
    expect(error).toMatchObject({
      code: 2,
      killed: false,
      signal: null,
      cmd: command,
      out: 'partial output\n',
    });
    expect(isInjectedFault(error)).toBe(true);
  });

  it('signal: the child is really killed mid-run after afterMs on the scope clock', async () => {
    const clock = new VirtualClock();
    const config = always(
      { kind: 'process', mode: 'signal', signal: 'SIGTERM', afterMs: 50 },
      { clock },
    );
    const seen = await chaos.run(config, async () => {
      const child = spawn(node, ['-e', 'console.log("started"); setTimeout(() => {}, 30000)']);
      const observed = observe(child);
      await new Promise((resolve) => child.stdout.once('data', resolve)); // it is running
      await clock.advance(49);
      expect(child.exitCode).toBeNull();
      expect(child.killed).toBe(false);
      await clock.advance(1);
      const result = await observed;
      return { events: result.events, killed: child.killed };
    });
    expect(seen).toEqual({
      events: [['spawn'], ['exit', null, 'SIGTERM'], ['close', null, 'SIGTERM']],
      killed: true,
    });
  });

  it('signal: promisified execFile rejects as killed, marked as injected', async () => {
    const clock = new VirtualClock();
    const config = always({ kind: 'process', mode: 'signal', afterMs: 10 }, { clock });
    const error = await chaos.run(config, async () => {
      const call = rejection(execFileAsync(node, ['-e', 'setTimeout(() => {}, 30000)']));
      await until(() => clock.pending > 0);
      await clock.advance(10);
      return call;
    });
    expect(error).toMatchObject({ killed: true, signal: 'SIGKILL', code: null });
    expect(isInjectedFault(error)).toBe(true);
  });

  it('a child that ends before afterMs is not killed', async () => {
    const clock = new VirtualClock();
    const config = always({ kind: 'process', mode: 'signal', afterMs: 10_000 }, { clock });
    const seen = await chaos.run(config, () => observe(spawn(node, ['-e', 'process.exit(0)'])));
    expect(seen.events).toEqual([['spawn'], ['exit', 0, null], ['close', 0, null]]);
    expect(clock.pending).toBe(0);
  });

  it('latency: the end of the child is reported later, on the scope clock', async () => {
    const clock = new VirtualClock();
    await chaos.run(always({ kind: 'latency', ms: 1000 }, { clock }), async () => {
      const child = spawn(node, ['-e', 'process.exit(5)']);
      let closed = false;
      const observed = observe(child).then((o) => {
        closed = true;
        return o;
      });
      await new Promise((resolve) => child.stdout.once('close', resolve));
      await until(() => clock.pending > 0); // the child has exited; its report is held
      expect(child.exitCode).toBeNull();
      await clock.advance(999);
      expect(closed).toBe(false);
      await clock.advance(1);
      expect((await observed).events).toEqual([['spawn'], ['exit', 5, null], ['close', 5, null]]);
      expect(child.exitCode).toBe(5);
    });
  });

  it('a hallucination alters what exec hands back on stdout', async () => {
    const config = always({ kind: 'hallucination', mode: 'wrong-number', fields: ['count'] });
    const stdout = await chaos.run(
      config,
      async () =>
        (
          await execFileAsync(node, [
            '-e',
            'process.stdout.write(JSON.stringify({ count: 3, ok: true }))',
          ])
        ).stdout,
    );
    const parsed = JSON.parse(stdout) as { count: number; ok: boolean };
    expect(parsed.ok).toBe(true);
    expect(parsed.count).not.toBe(3);
  });

  it('only targeted commands are affected', async () => {
    const config = always({ kind: 'process', mode: 'spawn-fail', target: { command: '*/git' } });
    const seen = await chaos.run(config, () => observe(spawn(node, ['-e', 'process.exit(0)'])));
    expect(seen.events).toEqual([['spawn'], ['exit', 0, null], ['close', 0, null]]);
  });
});

describe('uninstall', () => {
  it('restores the original functions (named imports included); faults no longer apply', async () => {
    handle.uninstall();
    handle.uninstall();
    const cp = await import('node:child_process');
    expect(cp.spawn).toBe(originalSpawn);
    expect(spawn).toBe(originalSpawn);
    const seen = await chaos.run(always({ kind: 'process', mode: 'spawn-fail' }), () =>
      observe(spawn(node, ['-e', 'process.exit(0)'])),
    );
    expect(seen.events).toEqual([['spawn'], ['exit', 0, null], ['close', 0, null]]);
    const { stdout } = await execFileAsync(node, ['-e', 'process.stdout.write("plain")']);
    expect(stdout).toBe('plain');
    handle = installChildProcessInterceptor();
  });
});
