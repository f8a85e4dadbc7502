import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineTransport } from './line-transport.ts';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('LineTransport', () => {
  it('frames messages split across chunks and lines, CRLF included', async () => {
    const input = new PassThrough();
    const transport = new LineTransport({ input, output: new PassThrough() });
    const messages: unknown[] = [];
    const raw: string[] = [];
    transport.onmessage = (m) => messages.push(m);
    transport.onrawline = (line) => raw.push(line);
    await transport.start();
    input.write('{"jsonrpc":"2.0","id":1,"met');
    input.write('hod":"ping"}\r\n\n{"jsonrpc":"2.0","method":"a"}\nnot json\n{"trunc');
    await tick();
    expect(messages).toEqual([
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', method: 'a' },
    ]);
    expect(raw).toEqual(['not json']);
  });

  it('writes newline-delimited JSON, and raw text verbatim', async () => {
    const output = new PassThrough();
    const transport = new LineTransport({ input: new PassThrough(), output });
    await transport.start();
    await transport.send({ jsonrpc: '2.0', id: 2, result: {} });
    await transport.sendRaw('{"cut');
    expect((output.read() as Buffer).toString()).toBe(
      '{"jsonrpc":"2.0","id":2,"result":{}}\n{"cut',
    );
  });

  it('tolerates a peer that has gone: the write error is reported once, later sends are dropped', async () => {
    const output = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const transport = new LineTransport({ input: new PassThrough(), output });
    const errors: Error[] = [];
    transport.onerror = (e) => errors.push(e);
    await transport.start();
    await transport.send({ jsonrpc: '2.0', method: 'notifications/message' });
    await tick();
    await transport.send({ jsonrpc: '2.0', method: 'notifications/message' });
    await transport.send({ jsonrpc: '2.0', method: 'notifications/message' });
    await tick();
    expect(errors.map((e) => e.message)).toEqual(['write EPIPE']);
  });

  it('closes when its input ends', async () => {
    const input = new PassThrough();
    const transport = new LineTransport({ input, output: new PassThrough() });
    let closed = 0;
    transport.onclose = () => {
      closed++;
    };
    await transport.start();
    input.end();
    await tick();
    await transport.close();
    expect(closed).toBe(1);
    expect(transport.closed).toBe(true);
  });

  it('drops a line longer than maxLineBytes', async () => {
    const input = new PassThrough();
    const transport = new LineTransport({ input, output: new PassThrough(), maxLineBytes: 16 });
    const errors: Error[] = [];
    const messages: unknown[] = [];
    transport.onerror = (e) => errors.push(e);
    transport.onmessage = (m) => messages.push(m);
    await transport.start();
    input.write('x'.repeat(40));
    input.write('\n{"id":1}\n');
    await tick();
    expect(errors).toHaveLength(1);
    expect(messages).toEqual([{ id: 1 }]);
  });
});
