import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpParser, headerValue, type BodyFraming, type MessageHead } from './http-parser.ts';

interface Parsed {
  heads: MessageHead[];
  bodies: string[];
  raw: string;
  ends: number;
  errors: string[];
}

function parse(
  kind: 'request' | 'response',
  pieces: readonly string[],
  override?: (h: MessageHead, f: BodyFraming) => BodyFraming,
  finish = false,
): Parsed {
  const out: Parsed = { heads: [], bodies: [], raw: '', ends: 0, errors: [] };
  let body = '';
  const parser = new HttpParser(kind, {
    head: (head, framing) => {
      out.heads.push(head);
      out.raw += head.raw.toString('latin1');
      return override ? override(head, framing) : framing;
    },
    data: (payload) => {
      body += payload.toString('latin1');
    },
    raw: (bytes) => {
      out.raw += bytes.toString('latin1');
    },
    end: () => {
      out.ends++;
      out.bodies.push(body);
      body = '';
    },
    error: (reason) => out.errors.push(reason),
  });
  for (const piece of pieces) parser.push(Buffer.from(piece, 'latin1'));
  if (finish) parser.finish();
  return out;
}

const stream =
  'POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello' +
  'GET /v1/models HTTP/1.1\r\nHost: a\r\n\r\n' +
  'POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nwiki\r\n5\r\npedia\r\n0\r\nTrailer: x\r\n\r\n';

function splits(text: string): fc.Arbitrary<string[]> {
  return fc
    .uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 12 })
    .map((cuts) => {
      const sorted = [...cuts].sort((a, b) => a - b);
      const pieces: string[] = [];
      let last = 0;
      for (const cut of sorted) {
        pieces.push(text.slice(last, cut));
        last = cut;
      }
      pieces.push(text.slice(last));
      return pieces;
    });
}

describe('HttpParser', () => {
  it('frames keep-alive requests: content-length, none, chunked with extensions and trailers', () => {
    const out = parse('request', [stream]);
    expect(out.heads.map((h) => `${h.method} ${h.target}`)).toEqual([
      'POST /v1/chat/completions?x=1',
      'GET /v1/models',
      'POST /up',
    ]);
    expect(out.bodies).toEqual(['hello', '', 'wikipedia']);
    expect(out.raw).toBe(stream);
    expect(headerValue(out.heads[0]!, 'content-length')).toBe('5');
  });

  it('property: however the bytes are split, the same messages and the same raw bytes come out', () => {
    fc.assert(
      fc.property(splits(stream), (pieces) => {
        const out = parse('request', pieces);
        expect(out.bodies).toEqual(['hello', '', 'wikipedia']);
        expect(out.raw).toBe(stream);
        expect(out.errors).toEqual([]);
      }),
    );
  });

  it('responses: no body for 204/304/1xx or when told (HEAD), close-delimited bodies end on finish', () => {
    const text =
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n' +
      'HTTP/1.0 200 OK\r\n\r\nuntil close';
    const out = parse(
      'response',
      [text],
      (h, f) => (h.status === 200 && h.version === 'HTTP/1.1' ? { kind: 'none' } : f),
      true,
    );
    expect(out.heads.map((h) => h.status)).toEqual([100, 204, 200, 200]);
    expect(out.bodies).toEqual(['', '', '', 'until close']);
  });

  it('a 101 turns the rest into a tunnel', () => {
    const out = parse(
      'response',
      ['HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello'],
      () => ({ kind: 'tunnel' }),
    );
    expect(out.raw.endsWith('\x81\x05hello')).toBe(true);
    expect(out.ends).toBe(0);
  });

  it('reports garbage once and passes everything through raw', () => {
    const out = parse('request', ['NOT HTTP AT ALL\r\n\r\nmore', 'and more']);
    expect(out.errors).toHaveLength(1);
    expect(out.raw).toBe('NOT HTTP AT ALL\r\n\r\nmoreand more');
    const bad = parse('request', ['POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n']);
    expect(bad.errors[0]).toContain('content-length');
    const chunk = parse('request', ['POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n']);
    expect(chunk.errors[0]).toContain('chunk size');
  });
});
