/**
 * CSV both ways, pure (no I/O): RFC 4180 parsing of uploaded files (comma, double quotes with ""
 * inside, CRLF or LF) and the encoding of exported cells, with the guard against formula
 * injection (OWASP "CSV Injection"): a cell that a spreadsheet would run as a formula is prefixed
 * with an apostrophe so Excel/WPS show it as text.
 */

export type CsvParse =
  | { ok: true; rows: string[][] }
  | { ok: false; code: 'BAD_CSV' | 'TOO_MANY_ROWS'; message: string; line: number };

/**
 * Parses CSV text (BOM already removed) into rows of cells. Stops with TOO_MANY_ROWS once more
 * than `maxRows` rows have been read (the header counts as a row), so a huge file costs little.
 */
export function parseCsv(text: string, maxRows: number): CsvParse {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let inQuotes = false;
  let quoteStartLine = 1;
  let line = 1;
  let i = 0;
  // After a closing quote only a separator or a line end may follow (RFC 4180 §2.7).
  let afterQuote = false;
  const endRow = (): CsvParse | undefined => {
    row.push(cell);
    rows.push(row);
    row = [];
    cell = '';
    if (rows.length > maxRows)
      return {
        ok: false,
        code: 'TOO_MANY_ROWS',
        message: `more than ${maxRows - 1} rows`,
        line,
      };
    return undefined;
  };
  while (i < text.length) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        afterQuote = true;
        i += 1;
        continue;
      }
      if (c === '\n') line += 1;
      cell += c;
      i += 1;
      continue;
    }
    if (c === ',') {
      row.push(cell);
      cell = '';
      afterQuote = false;
      i += 1;
      continue;
    }
    if (c === '\r' || c === '\n') {
      const stop = endRow();
      if (stop) return stop;
      afterQuote = false;
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line += 1;
      continue;
    }
    if (afterQuote)
      return { ok: false, code: 'BAD_CSV', message: 'text after a closing quote', line };
    if (c === '"') {
      if (cell !== '')
        return { ok: false, code: 'BAD_CSV', message: 'a quote inside an unquoted cell', line };
      inQuotes = true;
      quoteStartLine = line;
      i += 1;
      continue;
    }
    cell += c;
    i += 1;
  }
  if (inQuotes)
    return {
      ok: false,
      code: 'BAD_CSV',
      message: 'a quoted cell is never closed',
      line: quoteStartLine,
    };
  // A last line without a line break still counts; a trailing line break adds no empty row.
  if (cell !== '' || row.length > 0 || afterQuote) {
    const stop = endRow();
    if (stop) return stop;
  }
  return { ok: true, rows };
}

export type Decoded = { ok: true; text: string } | { ok: false; message: string };

/**
 * Bytes to text: strict UTF-8 (invalid sequences refuse the file rather than turning names into
 * "�"), or GB18030, what Excel in Chinese saves as plain "CSV". A BOM is dropped; NUL bytes mean
 * a binary file (an XLSX sent as CSV, say).
 */
export function decodeText(bytes: Uint8Array, encoding: 'utf-8' | 'gb18030'): Decoded {
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return {
      ok: false,
      message:
        encoding === 'utf-8'
          ? 'not UTF-8 text: save the file as "CSV UTF-8", or import it with encoding gb18030'
          : 'not GB18030 text',
    };
  }
  if (text.includes('\u0000')) return { ok: false, message: 'binary data, not CSV text' };
  return { ok: true, text };
}

/** UTF-8 byte order mark: Excel opens a CSV as UTF-8 (Chinese intact) only when it is there. */
export const UTF8_BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One exported cell: quoted when it holds a comma, quote or line break (RFC 4180 §2.6-2.7); text
 * that starts like a formula (= + - @, tab, CR) gets a leading apostrophe first. Numbers are
 * written as numbers (a negative number is data, not a formula).
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One CSV line (CRLF-terminated, as RFC 4180 §2.1 writes it). */
export function csvLine(cells: readonly (string | number | boolean | null | undefined)[]): string {
  return cells.map(csvCell).join(',') + '\r\n';
}
