/** RFC 4180 parsing, strict decoding and the export cell guard, table-tested (pure). */
import { describe, expect, it } from 'vitest';
import { csvCell, csvLine, decodeText, parseCsv } from './csv.js';

describe('parseCsv', () => {
  it.each([
    [
      'a,b\r\n1,2\r\n',
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ],
    [
      'a,b\n1,2',
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ],
    [
      'a,"b, c"\n"say ""hi""",2\n',
      [
        ['a', 'b, c'],
        ['say "hi"', '2'],
      ],
    ],
    ['a,"line 1\nline 2"\n', [['a', 'line 1\nline 2']]],
    [
      'a,,c\n,,\n',
      [
        ['a', '', 'c'],
        ['', '', ''],
      ],
    ],
    ['王秀英,和平路 10 号\n', [['王秀英', '和平路 10 号']]],
    ['"",x\n', [['', 'x']]],
  ])('%j', (text, rows) => {
    expect(parseCsv(text, 100)).toEqual({ ok: true, rows });
  });

  it.each([
    ['a,"open\n', 'a quoted cell is never closed', 1],
    ['a,b\nx,"q"z\n', 'text after a closing quote', 2],
    ['a,b\nx,y"z\n', 'a quote inside an unquoted cell', 2],
  ])('refuses %j', (text, message, line) => {
    expect(parseCsv(text, 100)).toEqual({ ok: false, code: 'BAD_CSV', message, line });
  });

  it('stops as soon as there are too many rows', () => {
    const r = parseCsv('h\n1\n2\n3\n', 3);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.code).toBe('TOO_MANY_ROWS');
    expect(parseCsv('h\n1\n2\n', 3).ok).toBe(true);
  });
});

describe('decodeText', () => {
  it('drops the UTF-8 BOM and refuses invalid UTF-8 and binary data', () => {
    expect(decodeText(Buffer.from('\uFEFFa,b', 'utf8'), 'utf-8')).toEqual({
      ok: true,
      text: 'a,b',
    });
    // "中文" in GBK is not UTF-8; read as GB18030 it is.
    const gbk = Buffer.from([0xd6, 0xd0, 0xce, 0xc4]);
    expect(decodeText(gbk, 'utf-8').ok).toBe(false);
    expect(decodeText(gbk, 'gb18030')).toEqual({ ok: true, text: '中文' });
    expect(decodeText(Buffer.from([0x61, 0x00, 0x62]), 'utf-8').ok).toBe(false);
  });
});

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'],
    ['+861380000', "'+861380000"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['王秀英', '王秀英'],
    [-5, '-5'],
    [1.5, '1.5'],
    [Number.NaN, ''],
    [null, ''],
    [true, 'true'],
  ] as const)('%j → %j', (value, out) => {
    expect(csvCell(value)).toBe(out);
  });

  it('writes CRLF lines that parse back to the same cells (less the guard)', () => {
    const line = csvLine(['a,b', 'c"d', 'plain', null]);
    expect(line.endsWith('\r\n')).toBe(true);
    expect(parseCsv(line, 10)).toEqual({ ok: true, rows: [['a,b', 'c"d', 'plain', '']] });
  });
});
