import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRandom, isInvalidOptionError, VirtualClock } from '../../core/index.ts';
import { chaos } from '../../faults/index.ts';
import { retry } from '../../policies/index.ts';
import { isCheckpointCorruptError } from '../errors/index.ts';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-codec.ts';
import { FileCheckpointStore } from './file-checkpoint-store.ts';
import { MemoryCheckpointStore } from './memory-checkpoint-store.ts';
import type { CheckpointStore } from './types.ts';
import { withStorePolicy } from './with-store-policy.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-ckpt-'));
  dirs.push(dir);
  return dir;
}

function input(state: unknown, savedAt = 0) {
  return {
    runId: 'run-1',
    key: 'orchestrator/product',
    savedAt,
    reason: 'progress' as const,
    state,
  };
}

const stores: [string, () => Promise<CheckpointStore>][] = [
  ['memory', () => Promise.resolve(new MemoryCheckpointStore({ sites: true }))],
  ['file', async () => new FileCheckpointStore({ dir: await tempDir(), sites: true })],
];

describe('checkpoint codec', () => {
  it('round-trips a checkpoint and verifies its SHA-256 checksum', () => {
    const { text, checkpoint } = encodeCheckpoint(
      { ...input({ step: 2 }), progress: 0.5, label: 'upload' },
      3,
    );
    expect(checkpoint.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    const decoded = decodeCheckpoint(text, { runId: 'run-1', key: 'orchestrator/product', seq: 3 });
    expect(decoded).toEqual(checkpoint);
  });

  it('names what is wrong with a damaged record', () => {
    const { text } = encodeCheckpoint(input({ step: 2 }), 1);
    const where = { runId: 'run-1', key: 'orchestrator/product', seq: 1 };
    const cases: [unknown, RegExp][] = [
      [text.replace('"step":2', '"step":3'), /checksum mismatch/],
      [text.slice(0, text.length - 5), /checksum mismatch/],
      [text.split('\n')[1], /no header line/],
      [`{"x":1}\n${text.split('\n')[1]!}`, /not a faultline-checkpoint\/1 record/],
      [42, /expected text, got number/],
    ];
    for (const [raw, detail] of cases) {
      let caught: unknown;
      try {
        decodeCheckpoint(raw, where);
      } catch (error) {
        caught = error;
      }
      expect(isCheckpointCorruptError(caught)).toBe(true);
      expect((caught as Error).message).toMatch(detail);
    }
    expect(() => decodeCheckpoint(text, { ...where, seq: 2 })).toThrow(/belongs elsewhere/);
  });

  it('refuses a state that is not JSON', () => {
    expect(() => encodeCheckpoint(input(undefined), 1)).toThrow(/state must be a JSON value/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeCheckpoint(input(cyclic), 1)).toThrow(TypeError);
  });
});

describe.each(stores)('%s checkpoint store', (_kind, make) => {
  it('saves numbered checkpoints and loads the latest', async () => {
    const store = await make();
    expect((await store.load('run-1', 'orchestrator/product')).checkpoint).toBeUndefined();
    const first = await store.save(input({ step: 1 }, 10));
    const second = await store.save(input({ step: 2 }, 20));
    expect([first.seq, second.seq]).toEqual([1, 2]);
    const loaded = await store.load('run-1', 'orchestrator/product');
    expect(loaded.corrupt).toEqual([]);
    expect(loaded.checkpoint).toMatchObject({ seq: 2, savedAt: 20, state: { step: 2 } });
    expect(loaded.checkpoint?.checksum).toBe(second.checksum);
  });

  it('keeps runs and keys apart, lists and deletes them', async () => {
    const store = await make();
    await store.save(input({ a: 1 }));
    await store.save({ ...input({ b: 1 }), key: 'orchestrator/marketing' });
    await store.save({ ...input({ c: 1 }), runId: 'run-2' });
    expect(await store.list('run-1')).toEqual([
      { runId: 'run-1', key: 'orchestrator/marketing', seq: 1 },
      { runId: 'run-1', key: 'orchestrator/product', seq: 1 },
    ]);
    expect(await store.list('run-1', 'orchestrator/product')).toHaveLength(1);
    expect(await store.delete('run-1', 'orchestrator/product')).toBe(1);
    expect(await store.list('run-1')).toHaveLength(1);
    expect(await store.delete('run-1')).toBe(1);
    expect(await store.list('run-1')).toEqual([]);
    expect((await store.load('run-2', 'orchestrator/product')).checkpoint?.state).toEqual({ c: 1 });
  });

  it('keeps only the last 5 checkpoints of a key', async () => {
    const store = await make();
    for (let i = 1; i <= 8; i++) await store.save(input({ i }));
    const seqs = (await store.list('run-1', 'orchestrator/product')).map((e) => e.seq);
    expect(seqs).toEqual([4, 5, 6, 7, 8]);
  });

  it('detects a corrupted latest checkpoint when reading it and falls back to the previous one', async () => {
    const store = await make();
    await store.save(input({ step: 1 }));
    await store.save(input({ step: 2 }));
    // Storage corruption injected on read: the record's text is garbled in transit.
    const loaded = await chaos.run(
      {
        enabled: true,
        seed: 'ckpt',
        killSwitch: false,
        faults: [
          {
            kind: 'corruption',
            mode: 'truncate',
            fraction: 0.7,
            probability: 1,
            target: { operation: 'checkpoint.read', path: '*#2' },
          },
        ],
      },
      () => store.load('run-1', 'orchestrator/product'),
    );
    expect(loaded.checkpoint).toMatchObject({ seq: 1, state: { step: 1 } });
    expect(loaded.corrupt).toHaveLength(1);
    expect(loaded.corrupt[0]).toMatchObject({ code: 'FL_CHECKPOINT_CORRUPT', seq: 2 });
    expect(loaded.corrupt[0]!.message).toMatch(
      /checkpoint orchestrator\/product#2 of run run-1 is corrupt/,
    );
    // The stored record itself is intact: without the fault it loads.
    expect((await store.load('run-1', 'orchestrator/product')).checkpoint?.seq).toBe(2);
  });

  it('is not an injection site unless asked (sites: false by default)', async () => {
    const plain = new MemoryCheckpointStore();
    await plain.save(input({ step: 1 }));
    const loaded = await chaos.run(
      {
        enabled: true,
        seed: 'ckpt',
        killSwitch: false,
        faults: [{ kind: 'disk', error: 'EIO', probability: 1 }],
      },
      async () => {
        await plain.save(input({ step: 2 }));
        return plain.load('run-1', 'orchestrator/product');
      },
    );
    expect(loaded).toMatchObject({ checkpoint: { seq: 2 }, corrupt: [] });
  });

  it('reports every record corrupt when none verifies', async () => {
    const store = await make();
    await store.save(input({ step: 1 }));
    const loaded = await chaos.run(
      {
        enabled: true,
        seed: 'ckpt',
        killSwitch: false,
        faults: [
          { kind: 'disk', error: 'EIO', probability: 1, target: { operation: 'checkpoint.read' } },
        ],
      },
      () => store.load('run-1', 'orchestrator/product'),
    );
    expect(loaded.checkpoint).toBeUndefined();
    expect(loaded.corrupt.map((e) => e.detail)).toEqual([
      expect.stringMatching(/^unreadable: .*EIO/),
    ]);
  });

  it('rejects a bad keep option', async () => {
    let error: unknown;
    try {
      new MemoryCheckpointStore({ keep: 1 });
    } catch (e) {
      error = e;
    }
    expect(isInvalidOptionError(error)).toBe(true);
    expect((error as Error).message).toBe(
      "MemoryCheckpointStore: option 'keep' must be an integer >= 2, got 1",
    );
  });
});

describe('file checkpoint store on disk', () => {
  it('writes one file per checkpoint and detects a byte flipped on disk', async () => {
    const dir = await tempDir();
    const store = new FileCheckpointStore({ dir });
    await store.save(input({ step: 1 }));
    await store.save(input({ step: 2 }));
    const keyDir = join(dir, 'run-1', 'orchestrator%2Fproduct');
    expect((await readdir(keyDir)).sort()).toEqual(['00000001.ckpt', '00000002.ckpt']);
    const file = join(keyDir, '00000002.ckpt');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('"step":2', '"step":9'));
    const loaded = await store.load('run-1', 'orchestrator/product');
    expect(loaded.checkpoint?.state).toEqual({ step: 1 });
    expect(loaded.corrupt[0]?.detail).toMatch(/^checksum mismatch/);
  });

  it('continues numbering after a restart (another store object on the same directory)', async () => {
    const dir = await tempDir();
    await new FileCheckpointStore({ dir }).save(input({ step: 1 }));
    const again = new FileCheckpointStore({ dir });
    expect((await again.save(input({ step: 2 }))).seq).toBe(2);
    expect((await again.load('run-1', 'orchestrator/product')).checkpoint?.state).toEqual({
      step: 2,
    });
  });

  it('keeps hostile keys inside the run directory', async () => {
    const dir = await tempDir();
    const store = new FileCheckpointStore({ dir });
    await store.save({ ...input({ x: 1 }), runId: '..', key: '../../escape' });
    expect(await readdir(dir)).toEqual(['%2E%2E']);
    expect((await store.load('..', '../../escape')).checkpoint?.state).toEqual({ x: 1 });
    expect(await store.list('..')).toEqual([{ runId: '..', key: '../../escape', seq: 1 }]);
  });

  it('serialises concurrent saves to one key', async () => {
    const store = new FileCheckpointStore({ dir: await tempDir() });
    const saved = await Promise.all([1, 2, 3, 4].map((i) => store.save(input({ i }))));
    expect(saved.map((c) => c.seq).sort()).toEqual([1, 2, 3, 4]);
  });

  it('rejects a missing directory option', () => {
    expect(() => new FileCheckpointStore({ dir: '' })).toThrow(
      'FileCheckpointStore: option \'dir\' must be a non-empty directory path, got ""',
    );
  });
});

describe('withStorePolicy', () => {
  it('retries a failed checkpoint write so the save succeeds', async () => {
    const clock = new VirtualClock();
    const inner = new MemoryCheckpointStore({ sites: true });
    const store = withStorePolicy(
      inner,
      retry({ maxAttempts: 3, clock, random: createRandom(1), schedule: () => 10 }),
    );
    const failOnce = {
      enabled: true,
      seed: 'w',
      clock,
      killSwitch: false as const,
      faults: [
        {
          kind: 'disk',
          error: 'ENOSPC',
          probability: 1,
          target: { operation: 'checkpoint.write', path: '*#1' },
        },
      ],
    };
    const saved = await clock.run(chaos.run(failOnce, () => store.save(input({ step: 1 }))));
    expect(saved.seq).toBe(2);
    expect((await inner.load('run-1', 'orchestrator/product')).checkpoint?.state).toEqual({
      step: 1,
    });
    expect(() => withStorePolicy(inner, {} as never)).toThrow(
      "withStorePolicy: option 'policy' must be a Policy, got an object",
    );
  });
});
