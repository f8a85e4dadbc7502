import { describe, expect, it } from 'vitest';
import { formatHostPort, isLoopbackHost, parseHostPort } from './address.ts';

describe('addresses', () => {
  it('parses host:port, [v6]:port and :port', () => {
    expect(parseHostPort('localhost:80', 'listen')).toEqual({ host: 'localhost', port: 80 });
    expect(parseHostPort('[::1]:0', 'listen')).toEqual({ host: '::1', port: 0 });
    expect(parseHostPort(':8080', 'listen')).toEqual({ host: '', port: 8080 });
  });

  it('names the field and the problem', () => {
    expect(() => parseHostPort('redis', 'upstream')).toThrow(
      'invalid address: upstream "redis" has no port',
    );
    expect(() => parseHostPort('a:99999', 'listen')).toThrow(
      'port must be an integer from 0 to 65535',
    );
    expect(() => parseHostPort('::1:80', 'listen')).toThrow('must be in brackets');
    expect(() => parseHostPort('bad host:1', 'listen')).toThrow('is not a host name or IP');
    expect(() => parseHostPort(5, 'listen')).toThrow('must be a "host:port" string, got number');
  });

  it('formats like Go and recognises loopback', () => {
    expect(formatHostPort('::1', 5)).toBe('[::1]:5');
    expect(formatHostPort('127.0.0.1', 5)).toBe('127.0.0.1:5');
    expect(
      ['localhost', '127.0.0.1', '127.8.9.1', '::1', '::ffff:127.0.0.1'].every(isLoopbackHost),
    ).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', '::', 'example.com'].some(isLoopbackHost)).toBe(false);
  });
});
