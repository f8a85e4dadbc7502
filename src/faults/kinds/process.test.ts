import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/index.ts';
import { createFault } from '../registry.ts';
import { ChaosScope } from '../scope.ts';

function scope(clock: VirtualClock, spec: Record<string, unknown>): ChaosScope {
  return new ChaosScope({
    enabled: true,
    seed: 1,
    clock,
    killSwitch: false,
    faults: [{ kind: 'PROCESS', probability: 1, ...spec }],
  });
}

const site = { operation: 'child_process.execFile', command: 'ffmpeg' };

describe('process fault', () => {
  it('spawn-fail: the child never starts, with the error Node gives', async () => {
    let started = false;
    const run = scope(new VirtualClock(), { error: 'ENOENT' }).execute(site, () => {
      started = true;
    });
    await expect(run).rejects.toMatchObject({
      message: 'spawn ffmpeg ENOENT',
      code: 'ENOENT',
      errno: -2,
      syscall: 'spawn ffmpeg',
      path: 'ffmpeg',
      spawnargs: [],
    });
    expect(started).toBe(false);
    await expect(
      scope(new VirtualClock(), { error: 'EACCES' }).execute(site, () => 1),
    ).rejects.toMatchObject({
      message: 'spawn ffmpeg EACCES',
      errno: -13,
    });
  });

  it('exit: the child runs, then the caller sees a non-zero exit like execFile reports', async () => {
    let ran = false;
    await expect(
      scope(new VirtualClock(), { mode: 'exit', exitCode: 3 }).execute(site, () => {
        ran = true;
      }),
    ).rejects.toMatchObject({
      message: 'Command failed: ffmpeg',
      code: 3,
      killed: false,
      signal: null,
      cmd: 'ffmpeg',
    });
    expect(ran).toBe(true);
  });

  it('signal: the child is killed mid-run', async () => {
    const clock = new VirtualClock();
    const run = scope(clock, { mode: 'signal', signal: 'SIGTERM', afterMs: 200 }).execute(
      site,
      () => clock.sleep(1000),
    );
    await expect(clock.run(run)).rejects.toMatchObject({
      code: null,
      killed: true,
      signal: 'SIGTERM',
    });
    expect(clock.now()).toBe(200);
  });

  it('validates its fields', () => {
    expect(() => createFault({ kind: 'process', signal: 'KILL' })).toThrow(
      /option 'signal' must be a signal name/,
    );
    expect(() => createFault({ kind: 'process', exitCode: 0 })).toThrow(
      /option 'exitCode' must be an integer >= 1 <= 255/,
    );
  });
});
