import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInvalidOptionError } from '../core/index.ts';
import { loadChaosConfig } from './load-chaos-config.ts';

const file = (content: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'faultline-chaos-config-')), 'chaos.json');
  writeFileSync(path, content);
  return path;
};

describe('loadChaosConfig', () => {
  it('reads and validates a JSON config', async () => {
    const config = {
      enabled: true,
      seed: 7,
      faults: [{ kind: 'latency', ms: 100, probability: 0.5 }],
    };
    expect(await loadChaosConfig(file(JSON.stringify(config)))).toEqual(config);
  });

  it('names the file, the field, the value and what is allowed', async () => {
    const path = file(JSON.stringify({ enabled: true, failureRate: 1.5 }));
    const error: unknown = await loadChaosConfig(path).catch((e: unknown) => e);
    expect(isInvalidOptionError(error)).toBe(true);
    expect((error as Error).message).toMatch(new RegExp(`^${path}: .*failureRate.*1\\.5`));
  });

  it('reports a missing file and broken JSON as clear errors', async () => {
    await expect(loadChaosConfig('/nonexistent/chaos.json')).rejects.toThrow(
      '/nonexistent/chaos.json: cannot read the chaos config (ENOENT)',
    );
    await expect(loadChaosConfig(file('{ "enabled": tru'))).rejects.toThrow(/: not valid JSON/);
  });
});
