import { describe, expect, it } from 'vitest';
import { isInvalidOptionError } from '../core/index.ts';
import { ProxyRegistry } from './proxy-registry.ts';
import { startProxyServer } from './proxy-server.ts';
import { createAdminHandler } from './admin-handler.ts';

describe('bad options (checked before any socket opens)', () => {
  it('startProxyServer refuses a non-loopback host without allowRemote, and bad ports', async () => {
    const remote = await startProxyServer({ host: '0.0.0.0', port: 0 }).catch((e: unknown) => e);
    expect(isInvalidOptionError(remote)).toBe(true);
    expect((remote as Error).message).toBe(
      `startProxyServer: option 'host' must be a loopback address unless 'allowRemote' is set, got "0.0.0.0"`,
    );
    for (const port of [-1, 65536, 1.5]) {
      const error = await startProxyServer({ port }).catch((e: unknown) => e);
      expect((error as Error).message).toBe(
        `startProxyServer: option 'port' must be an integer from 0 to 65535, got ${port}`,
      );
    }
  });

  it('registry and handler validate their options', () => {
    expect(() => new ProxyRegistry({ logger: 'loud' as never })).toThrow(
      "option 'logger' must be a function",
    );
    expect(() => createAdminHandler(new ProxyRegistry(), { bodyLimit: 0 })).toThrow(
      "option 'bodyLimit' must be an integer >= 1, got 0",
    );
  });
});
