import { describe, expect, it } from 'vitest';
import { VirtualClock, isInjectedFault } from '../../core/index.ts';
import { isAgentCrashError, type AgentCrashError } from '../errors/agent-crash-error.ts';
import { reportProgress } from '../progress.ts';
import { createFault } from '../registry.ts';
import { ChaosScope } from '../scope.ts';

const site = { operation: 'upload', agent: 'product' };

function scope(spec: Record<string, unknown>): ChaosScope {
  return new ChaosScope({
    enabled: true,
    seed: 1,
    clock: new VirtualClock(),
    killSwitch: false,
    faults: [{ kind: 'crash', probability: 1, ...spec }],
  });
}

describe('crash fault', () => {
  it('throws an AgentCrashError before the work starts by default', async () => {
    let ran = false;
    const error: unknown = await scope({})
      .execute(site, () => {
        ran = true;
      })
      .catch((e: unknown) => e);
    expect(ran).toBe(false);
    expect(isAgentCrashError(error)).toBe(true);
    expect(isInjectedFault(error)).toBe(true);
    expect(error).toMatchObject({ operation: 'upload', agent: 'product', progress: 0 });
    expect((error as Error).message).toBe('injected crash in upload');
  });

  it('crashes from reportProgress once the work reaches the threshold', async () => {
    const done: number[] = [];
    const error: unknown = await scope({ atProgress: 0.5 })
      .execute(site, async () => {
        for (let step = 1; step <= 4; step++) {
          await Promise.resolve();
          done.push(step);
          reportProgress(step / 4);
        }
      })
      .catch((e: unknown) => e);
    expect(done).toEqual([1, 2]);
    expect((error as AgentCrashError).progress).toBe(0.5);
    expect((error as Error).message).toBe('injected crash in upload at 50% progress');
  });

  it('crashes at completion when the work never reports progress', async () => {
    let ran = false;
    await expect(
      scope({ atProgress: 0.9 }).execute(site, () => {
        ran = true;
        return 'result';
      }),
    ).rejects.toSatisfy(isAgentCrashError);
    expect(ran).toBe(true);
  });

  it('still crashes when the work swallows the crash', async () => {
    await expect(
      scope({ atProgress: 0.1 }).execute(site, () => {
        try {
          reportProgress(0.5);
        } catch {
          // an operation that ignores errors cannot ignore its own death
        }
        return 'result';
      }),
    ).rejects.toSatisfy(isAgentCrashError);
  });

  it('reportProgress does nothing outside a crash', () => {
    expect(() => {
      reportProgress(1);
    }).not.toThrow();
  });

  it('rejects a progress outside 0..1', () => {
    expect(() => createFault({ kind: 'crash', atProgress: 1.5 })).toThrow(
      "createFault: option 'atProgress' must be a finite number >= 0 <= 1, got 1.5",
    );
  });
});
