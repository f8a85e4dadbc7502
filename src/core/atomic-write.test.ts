import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.ts';

describe('writeFileAtomic', () => {
  it('creates parent directories and replaces the file whole, leaving no temp file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-atomic-'));
    const path = join(dir, 'reports', 'summary.json');
    await writeFileAtomic(path, '{"runs":1}');
    await writeFileAtomic(path, '{"runs":2}');
    expect(await readFile(path, 'utf8')).toBe('{"runs":2}');
    expect(await readdir(join(dir, 'reports'))).toEqual(['summary.json']);
  });

  it('leaves the previous content and no temp file when the write fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-atomic-'));
    const path = join(dir, 'data.txt');
    await writeFile(path, 'old');
    const target = join(path, 'child.txt'); // parent is a file: the write must fail
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow();
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['data.txt']);
  });
});
