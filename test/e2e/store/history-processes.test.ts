import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunHistory } from '../../../src/store/index.ts';

const storeModule = join(import.meta.dirname, '..', '..', '..', 'src', 'store', 'index.ts');

/** A writer process: records `count` runs named after `prefix`, printing each committed id. */
const writerScript = (path: string, prefix: string, count: number): string => `
import { RunHistory } from ${JSON.stringify(storeModule)};
const history = RunHistory.open(${JSON.stringify(path)});
for (let i = 0; i < ${count}; i++) {
  history.record({
    id: '${prefix}-' + i, kind: 'run', name: '${prefix}', seed: String(i),
    startedAt: i, finishedAt: i + 1, status: 'passed', summary: { i },
    config: {}, metrics: { payload: 'x'.repeat(2000) },
  });
  process.stdout.write('${prefix}-' + i + '\\n');
}
history.close();
`;

function startWriter(path: string, prefix: string, count: number) {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', writerScript(path, prefix, count)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const committed: string[] = [];
  let buffer = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    committed.push(...lines);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      resolve({ code, signal });
    }),
  );
  return { child, committed, exited, stderr: () => stderr };
}

const newPath = (): string =>
  join(mkdtempSync(join(tmpdir(), 'faultline-history-e2e-')), 'history.db');

describe('run history across processes', () => {
  it('keeps what another process wrote after it exits (a restart)', async () => {
    const path = newPath();
    const writer = startWriter(path, 'first', 20);
    expect((await writer.exited).code).toBe(0);
    const history = RunHistory.open(path);
    expect(history.count({ name: 'first' })).toBe(20);
    expect(history.get('first-19')?.summary).toEqual({ i: 19 });
    history.close();
  });

  it('lets two processes write at once without losing a record', async () => {
    const path = newPath();
    RunHistory.open(path).close();
    const a = startWriter(path, 'a', 150);
    const b = startWriter(path, 'b', 150);
    const [ra, rb] = await Promise.all([a.exited, b.exited]);
    expect([ra.code, rb.code, a.stderr(), b.stderr()]).toEqual([0, 0, '', '']);
    const history = RunHistory.open(path);
    expect(history.count({ name: 'a' })).toBe(150);
    expect(history.count({ name: 'b' })).toBe(150);
    history.close();
  });

  it('loses nothing already committed when the writer is killed mid-write', async () => {
    const path = newPath();
    const writer = startWriter(path, 'killed', 100_000);
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (writer.committed.length >= 50) resolve();
        else writer.child.stdout.once('data', check);
      };
      check();
    });
    writer.child.kill('SIGKILL');
    const { signal } = await writer.exited;
    expect(signal).toBe('SIGKILL');
    const history = RunHistory.open(path);
    const stored = history.count({ name: 'killed' });
    // Every id the writer reported as committed is there, whole.
    expect(stored).toBeGreaterThanOrEqual(writer.committed.length);
    for (const id of writer.committed) expect(history.get(id)?.status).toBe('passed');
    history.close();
  });
});
