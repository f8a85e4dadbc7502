import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from './csv.ts';

/** A strict RFC 4180 reader (what a spreadsheet does on import). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"') {
      if (field !== '') throw new Error(`quote inside an unquoted field at ${i}`);
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (c === '\r' || c === '\n') {
      throw new Error(`bare line break in an unquoted field at ${i}`);
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || row.length > 0) throw new Error('last record lacks CRLF');
  return rows;
}

describe('csvField', () => {
  it('quotes fields with commas, quotes, CR or LF, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('')).toBe('');
  });

  it('writes numbers, booleans and missing values plainly', () => {
    expect(csvField(12.5)).toBe('12.5');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField(Infinity)).toBe('');
    expect(csvField(true)).toBe('true');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
  });

  it('guards text that a spreadsheet would run as a formula, unless told not to', () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-rf')).toBe("'-rf");
    expect(csvField('@sum')).toBe("'@sum");
    expect(csvField('=1+1', { guardFormulas: false })).toBe('=1+1');
  });
});

describe('toCsv', () => {
  it('writes a header row and CRLF-terminated records, padding short rows', () => {
    const text = toCsv(
      ['id', 'detail', 'ms'],
      [
        ['a', 'crash, then "resume"', 10],
        ['b', 'line1\nline2'],
      ],
    );
    expect(text).toBe('id,detail,ms\r\na,"crash, then ""resume""",10\r\nb,"line1\nline2",\r\n');
    expect(parseCsv(text)).toEqual([
      ['id', 'detail', 'ms'],
      ['a', 'crash, then "resume"', '10'],
      ['b', 'line1\nline2', ''],
    ]);
  });

  it('round-trips any text through an RFC 4180 reader', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string({ unit: 'binary' }), { minLength: 3, maxLength: 3 }), {
          maxLength: 10,
        }),
        (rows) => {
          const text = toCsv(['a', 'b', 'c'], rows, { guardFormulas: false });
          expect(parseCsv(text)).toEqual([['a', 'b', 'c'], ...rows]);
        },
      ),
    );
  });
});
