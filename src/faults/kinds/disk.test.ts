import { describe, expect, it } from 'vitest';
import { VirtualClock, createRandom } from '../../core/index.ts';
import { createFault } from '../registry.ts';
import { ChaosScope } from '../scope.ts';

const site = { operation: 'fs.writeFile', path: '/data/out.json' };

describe('disk fault', () => {
  it.each([
    ['ENOSPC', "ENOSPC: no space left on device, write '/data/out.json'", 'write', -28],
    ['EIO', "EIO: i/o error, write '/data/out.json'", 'write', -5],
    ['EACCES', "EACCES: permission denied, open '/data/out.json'", 'open', -13],
    ['EROFS', "EROFS: read-only file system, open '/data/out.json'", 'open', -30],
  ])('%s looks like Node fs', async (code, message, syscall, errno) => {
    const scope = new ChaosScope({
      enabled: true,
      seed: 1,
      killSwitch: false,
      clock: new VirtualClock(),
      faults: [{ kind: 'disk_io', error: code, probability: 1 }],
    });
    await expect(scope.execute(site, () => undefined)).rejects.toMatchObject({
      message,
      code,
      syscall,
      errno,
      path: '/data/out.json',
    });
  });

  it('partial write: the work runs, the caller gets ENOSPC, the effect carries the fraction', async () => {
    const fault = createFault({ kind: 'disk', mode: 'partial-write', fraction: 0.25 });
    const effect = fault.effect({
      site,
      random: createRandom(1),
      clock: new VirtualClock(),
      now: 0,
      seed: '1',
      state: new Map(),
    });
    expect(effect).toMatchObject({
      type: 'partial-write',
      fraction: 0.25,
      error: { code: 'ENOSPC' },
    });
    const scope = new ChaosScope({
      enabled: true,
      seed: 1,
      killSwitch: false,
      faults: [{ ...fault.spec, probability: 1 }],
    });
    let wrote = false;
    await expect(
      scope.execute(site, () => {
        wrote = true;
      }),
    ).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(wrote).toBe(true);
  });

  it('draws a fraction when none is given', () => {
    const fault = createFault({ kind: 'disk', mode: 'partial-write' });
    const effect = fault.effect({
      site,
      random: createRandom(2),
      clock: new VirtualClock(),
      now: 0,
      seed: '2',
      state: new Map(),
    });
    expect(effect?.type).toBe('partial-write');
    const fraction = effect?.type === 'partial-write' ? effect.fraction : -1;
    expect(fraction).toBeGreaterThanOrEqual(0.1);
    expect(fraction).toBeLessThan(0.9);
  });

  it('rejects a fraction without partial-write', () => {
    expect(() => createFault({ kind: 'disk', fraction: 0.5 })).toThrow(
      /option 'fraction' must be absent unless/,
    );
  });
});
