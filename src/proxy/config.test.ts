import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRandom, VirtualClock } from '../core/index.ts';
import type { Binder } from './chaos-proxy.ts';
import { isProxyConfigError, loadProxyConfig } from './config.ts';
import { ProxyRegistry } from './proxy-registry.ts';

let port = 41000;
const bind: Binder = (host, p) =>
  Promise.resolve({ address: { host, port: p || port++ }, close: () => Promise.resolve() });
const registry = (): ProxyRegistry =>
  new ProxyRegistry({ bind, clock: new VirtualClock(), random: createRandom(1) });
const dir = mkdtempSync(join(tmpdir(), 'faultline-proxy-config-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('loadProxyConfig', () => {
  it("accepts Toxiproxy's format, plus http and toxics", async () => {
    const r = registry();
    const path = file(
      'ok.json',
      JSON.stringify([
        { name: 'redis', listen: '127.0.0.1:26379', upstream: '127.0.0.1:6379', enabled: true },
        { name: 'down', listen: '127.0.0.1:0', upstream: '127.0.0.1:1', enabled: false },
        {
          name: 'openai',
          listen: 'localhost:0',
          upstream: 'api.openai.com:80',
          http: true,
          toxics: [
            { type: 'openai_rate_limit', toxicity: 0.2 },
            { type: 'latency', stream: 'upstream', attributes: { latency: 10 } },
          ],
        },
      ]),
    );
    expect(await loadProxyConfig(r, path)).toBe(3);
    expect(r.get('redis').listen).toBe('127.0.0.1:26379');
    expect(r.get('down').enabled).toBe(false);
    expect(r.get('openai').toxics.map((t) => [t.type, t.toxicity])).toEqual([
      ['openai_rate_limit', 0.2],
      ['latency', 1],
    ]);
  });

  it('names the file and the problem', async () => {
    const r = registry();
    const cases: [string, string][] = [
      ['{', 'not valid JSON'],
      ['{}', 'expected a JSON array of proxies'],
      ['[{"name":"a"}]', 'missing required field: upstream at proxy 1'],
      [
        '[{"name":"a","upstream":"x:1","toxics":[{"type":"lag"}]}]',
        'invalid toxic type: "lag" (toxic 1 at proxy 1)',
      ],
    ];
    for (const [text, message] of cases) {
      const path = file('bad.json', text);
      const error = await loadProxyConfig(r, path).catch((e: unknown) => e);
      expect(isProxyConfigError(error)).toBe(true);
      expect((error as Error).message).toContain(path);
      expect((error as Error).message).toContain(message);
    }
    const missing = await loadProxyConfig(r, join(dir, 'none.json')).catch((e: unknown) => e);
    expect((missing as Error).message).toContain('cannot read it');
  });
});
