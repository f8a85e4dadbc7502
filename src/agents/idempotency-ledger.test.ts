import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/index.ts';
import { MemoryCheckpointStore } from './checkpoint/index.ts';
import { IdempotencyLedger } from './idempotency-ledger.ts';

describe('IdempotencyLedger', () => {
  it('runs an effect once per key and replays its recorded result afterwards', async () => {
    const store = new MemoryCheckpointStore();
    const clock = new VirtualClock({ start: 500 });
    const ledger = new IdempotencyLedger({ store, runId: 'r', clock });
    const keys: string[] = [];
    const charge = (key: string) => {
      keys.push(key);
      return Promise.resolve({ receipt: keys.length });
    };
    expect(await ledger.run('charge', charge)).toEqual({ value: { receipt: 1 }, replayed: false });
    expect(await ledger.run('charge', charge)).toEqual({ value: { receipt: 1 }, replayed: true });
    expect(keys).toEqual(['r:charge']);
    expect([ledger.executed, ledger.replayed]).toEqual([1, 1]);
    const [entry] = await store.list('r');
    expect(entry).toEqual({ runId: 'r', key: 'ledger/charge', seq: 1 });
    expect((await store.load('r', 'ledger/charge')).checkpoint).toMatchObject({
      reason: 'side-effect',
      savedAt: 500,
    });
  });

  it('survives a restart: a new ledger on the same store does not repeat the effect', async () => {
    const store = new MemoryCheckpointStore();
    let effects = 0;
    await new IdempotencyLedger({ store, runId: 'r' }).run('email', () => ++effects);
    const resumed = new IdempotencyLedger({ store, runId: 'r' });
    expect(await resumed.run('email', () => ++effects)).toEqual({ value: 1, replayed: true });
    expect(await resumed.has('email')).toBe(true);
    expect(await resumed.has('sms')).toBe(false);
    expect(effects).toBe(1);
    const otherRun = new IdempotencyLedger({ store, runId: 'r2' });
    await otherRun.run('email', () => ++effects);
    expect(effects).toBe(2);
  });

  it('shares one execution between concurrent calls with the same key', async () => {
    const clock = new VirtualClock();
    const ledger = new IdempotencyLedger({ store: new MemoryCheckpointStore(), runId: 'r', clock });
    let effects = 0;
    const slow = async () => {
      effects++;
      await clock.sleep(100);
      return 'done';
    };
    const both = clock.run(Promise.all([ledger.run('k', slow), ledger.run('k', slow)]));
    expect((await both).map((o) => o.value)).toEqual(['done', 'done']);
    expect(effects).toBe(1);
  });

  it('does not record a failed effect, so it runs again', async () => {
    const ledger = new IdempotencyLedger({ store: new MemoryCheckpointStore(), runId: 'r' });
    let calls = 0;
    await expect(
      ledger.run('k', () => {
        calls++;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await ledger.run('k', () => ++calls)).value).toBe(2);
  });

  it('runs an effect again, with the same idempotency key, when its record is corrupt', async () => {
    const store = new MemoryCheckpointStore();
    const corrupt: string[] = [];
    const ledger = new IdempotencyLedger({
      store,
      runId: 'r',
      onCorrupt: (e) => corrupt.push(e.detail),
    });
    const keys: string[] = [];
    await ledger.run('k', (key) => keys.push(key));
    store.tamper({ runId: 'r', key: 'ledger/k', seq: 1 }, (text) =>
      text.replace('"value":1', '"value":7'),
    );
    await ledger.run('k', (key) => keys.push(key));
    expect(keys).toEqual(['r:k', 'r:k']);
    expect(corrupt).toEqual([expect.stringMatching(/checksum mismatch/)]);
  });

  it('rejects bad options and keys', () => {
    const store = new MemoryCheckpointStore();
    expect(() => new IdempotencyLedger({ store, runId: '' })).toThrow(
      'IdempotencyLedger: option \'runId\' must be a non-empty string, got ""',
    );
    const ledger = new IdempotencyLedger({ store, runId: 'r' });
    expect(() => ledger.run('', () => 1)).toThrow(/option 'key' must be a non-empty string/);
  });
});
