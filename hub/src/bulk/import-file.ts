/**
 * An uploaded file → rows of text cells: CSV (decoded strictly, parsed per RFC 4180) or the
 * first sheet of an XLSX workbook (read-excel-file: maintained, small, read-only; see README).
 * Every way a file can be unreadable becomes one stable ImportFileError code.
 */
import { readSheet } from 'read-excel-file/node';
import { IMPORT_MAX_ROWS, type ImportFileError } from '@anxin/protocol';
import { decodeText, parseCsv } from './csv.js';

export type FileRows =
  /** `headerRow`: the header's row number in the file (1 unless blank lines come first). */
  { ok: true; rows: string[][]; headerRow: number } | { ok: false; error: ImportFileError };

/** A spreadsheet cell as text: numbers as written (a phone stays whole), dates as YYYY-MM-DD. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(0) : String(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return '';
}

export async function readImportFile(
  bytes: Buffer,
  format: 'csv' | 'xlsx',
  encoding: 'utf-8' | 'gb18030',
  maxRows = IMPORT_MAX_ROWS,
): Promise<FileRows> {
  if (bytes.length === 0)
    return { ok: false, error: { code: 'EMPTY_FILE', message: 'the file is empty' } };
  let rows: string[][];
  if (format === 'xlsx') {
    try {
      const sheet = await readSheet(bytes, { trim: false });
      rows = sheet.map((row) => row.map(cellText));
    } catch (e) {
      return {
        ok: false,
        error: {
          code: 'BAD_XLSX',
          message: `not a readable .xlsx workbook (${e instanceof Error ? e.message.slice(0, 200) : 'unknown'})`,
        },
      };
    }
    if (rows.length > maxRows + 1)
      return {
        ok: false,
        error: { code: 'TOO_MANY_ROWS', message: `more than ${maxRows} rows; split the file` },
      };
  } else {
    const decoded = decodeText(bytes, encoding);
    if (!decoded.ok)
      return { ok: false, error: { code: 'BAD_ENCODING', message: decoded.message } };
    const parsed = parseCsv(decoded.text, maxRows + 1);
    if (!parsed.ok)
      return {
        ok: false,
        error: {
          code: parsed.code,
          message:
            parsed.code === 'TOO_MANY_ROWS'
              ? `more than ${maxRows} rows; split the file`
              : `line ${parsed.line}: ${parsed.message}`,
        },
      };
    rows = parsed.rows;
  }
  // Leading blank lines (a title row left empty) are not the header.
  const first = rows.findIndex((r) => r.some((c) => c.trim() !== ''));
  if (first < 0) return { ok: false, error: { code: 'EMPTY_FILE', message: 'no header row' } };
  return { ok: true, rows: rows.slice(first), headerRow: first + 1 };
}
