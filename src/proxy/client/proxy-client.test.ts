import { describe, expect, it } from 'vitest';
import { createRandom, VirtualClock } from '../../core/index.ts';
import { createAdminHandler } from '../admin-handler.ts';
import type { Binder } from '../chaos-proxy.ts';
import { ProxyRegistry } from '../proxy-registry.ts';
import { ProxyClient, ProxyClientError, isProxyClientError } from './proxy-client.ts';

const bind: Binder = (host, port) =>
  Promise.resolve({ address: { host, port: port || 40000 }, close: () => Promise.resolve() });

function client(): ProxyClient {
  const registry = new ProxyRegistry({ bind, clock: new VirtualClock(), random: createRandom(1) });
  const handler = createAdminHandler(registry);
  return new ProxyClient('http://admin.test/', {
    fetch: (url, init) => handler(new Request(url, init)),
  });
}

describe('ProxyClient', () => {
  it('drives every route with typed results', async () => {
    const api = client();
    expect(await api.version()).toBe('2.12.0+faultline');
    const proxy = await api.createProxy({ name: 'db', upstream: '127.0.0.1:5432' });
    expect(proxy).toMatchObject({
      name: 'db',
      listen: '127.0.0.1:40000',
      enabled: true,
      toxics: [],
    });
    const toxic = await api.addToxic('db', { type: 'bandwidth', attributes: { rate: 50 } });
    expect(toxic.attributes.rate).toBe(50);
    expect(toxic.name).toBe('bandwidth_downstream');
    const updated = await api.updateToxic<'bandwidth'>('db', toxic.name, {
      attributes: { rate: 10 },
    });
    expect(updated.attributes.rate).toBe(10);
    expect(await api.toxics('db')).toHaveLength(1);
    expect((await api.toxic('db', toxic.name)).type).toBe('bandwidth');
    expect((await api.disable('db')).enabled).toBe(false);
    expect((await api.enable('db')).enabled).toBe(true);
    await api.removeToxic('db', toxic.name);
    expect(Object.keys(await api.proxies())).toEqual(['db']);
    expect(await api.populate([{ name: 'cache', upstream: '127.0.0.1:6379' }])).toHaveLength(1);
    await api.reset();
    expect(await api.metrics()).toContain('faultline_proxy_connections_total{proxy="db"} 0');
    await api.deleteProxy('db');
    expect(Object.keys(await api.proxies())).toEqual(['cache']);
  });

  it("throws ProxyClientError with the status and the server's message", async () => {
    const api = client();
    const error = await api.proxy('ghost').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProxyClientError);
    expect(isProxyClientError(error)).toBe(true);
    expect((error as ProxyClientError).status).toBe(404);
    expect((error as ProxyClientError).message).toBe(
      'GET /proxies/ghost: HTTP 404: proxy not found',
    );
  });
});
