/** A CSV cell: `null`/`undefined` and non-finite numbers become empty cells. */
export type CsvValue = string | number | boolean | null | undefined;

/** Options of {@link toCsv} and {@link csvField}. */
export interface CsvOptions {
  /**
   * Prefix text cells starting with `=`, `+`, `-`, `@`, tab or carriage return with `'`, so a
   * spreadsheet shows them as text instead of running them as formulas (CSV injection). Numbers
   * are never touched.
   * @default true
   */
  guardFormulas?: boolean;
}

const needsQuotes = /[",\r\n]/;
const formulaStart = /^[=+\-@\t\r]/;

/**
 * One CSV field per RFC 4180: quoted when it holds a comma, a double quote, CR or LF, with
 * double quotes doubled.
 *
 * @example
 * ```ts
 * csvField('say "hi", then go'); // '"say ""hi"", then go"'
 * ```
 */
export function csvField(value: CsvValue, options: CsvOptions = {}): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let text = value;
  if (options.guardFormulas !== false && formulaStart.test(text)) text = `'${text}`;
  return needsQuotes.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * A CSV document per RFC 4180: a header row, then one record per row, every line ending in CRLF.
 * Rows shorter than the header are padded with empty fields.
 */
export function toCsv(
  header: readonly string[],
  rows: Iterable<readonly CsvValue[]>,
  options: CsvOptions = {},
): string {
  const line = (cells: readonly CsvValue[]): string => {
    let out = '';
    for (let i = 0; i < header.length; i++) {
      if (i > 0) out += ',';
      out += csvField(cells[i], options);
    }
    return `${out}\r\n`;
  };
  let text = line(header);
  for (const row of rows) text += line(row);
  return text;
}
