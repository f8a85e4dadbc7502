import { isIP } from 'node:net';
import { ProxyApiError } from './api-error.ts';

/** A host and port split out of Toxiproxy's `host:port` notation. */
export interface HostPort {
  /** Host name or IP literal without brackets; `''` when the address had none (`:8080`). */
  readonly host: string;
  readonly port: number;
}

/**
 * Splits `host:port`, `[v6]:port` or `:port`. Throws a 400 {@link ProxyApiError} naming the
 * field when the value is not such an address.
 */
export function parseHostPort(value: unknown, field: string): HostPort {
  if (typeof value !== 'string' || value.length > 300) {
    throw new ProxyApiError(
      'invalidAddress',
      `${field} must be a "host:port" string, got ${typeof value === 'string' ? 'a string too long' : typeof value}`,
    );
  }
  const colon = value.lastIndexOf(':');
  if (colon < 0) {
    throw new ProxyApiError('invalidAddress', `${field} ${JSON.stringify(value)} has no port`);
  }
  let host = value.slice(0, colon);
  const portText = value.slice(colon + 1);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  else if (host.includes(':')) {
    throw new ProxyApiError(
      'invalidAddress',
      `${field} ${JSON.stringify(value)}: an IPv6 host must be in brackets`,
    );
  }
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new ProxyApiError(
      'invalidAddress',
      `${field} ${JSON.stringify(value)}: port must be an integer from 0 to 65535`,
    );
  }
  if (host !== '' && isIP(host) === 0 && !/^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})$/.test(host)) {
    throw new ProxyApiError(
      'invalidAddress',
      `${field} ${JSON.stringify(value)}: ${JSON.stringify(host)} is not a host name or IP`,
    );
  }
  return { host, port };
}

/** Formats an address as Go does: `127.0.0.1:80`, `[::1]:80`. */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** True for `localhost`, 127.0.0.0/8, `::1` and IPv4-mapped loopback. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}
