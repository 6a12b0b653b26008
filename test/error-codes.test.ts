/**
 * docs/error-codes.md lists every stable code the code returns, sends or logs (issue 14). This
 * test reads the code's own constant arrays, finds any other `…CODES` array a part exports, and
 * scans the product sources for code literals (`code: 'X'`, `reject('X')`); a code missing from
 * the page fails with its name and the file it comes from.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mr60fda1Codec, mr60fda2Codec } from '@anxin/devices';
import { GATEWAY_ERROR_CODES } from '@anxin/gateway';
import {
  API_ERROR_CODES,
  CLAIM_ERROR_CODES,
  COMMAND_ERROR_CODES,
  CONFIG_REFUSAL_CODES,
  CONTRACT_ERROR_CODES,
  IMPORT_FILE_ERROR_CODES,
  IMPORT_ROW_ERROR_CODES,
  REJECT_CODES,
} from '@anxin/protocol';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const doc = readFileSync(join(root, 'docs/error-codes.md'), 'utf8');

/** The page's `## ` sections, by heading. */
const sections = doc.split(/^## /m).slice(1);
const sectionNaming = (name: string) => sections.find((s) => s.split('\n')[0]?.includes(name));
const listed = (text: string, code: string) => text.includes(`\`${code}\``);

/** Arrays read from the code itself, with the section of the page that must list them. */
const ARRAYS: { name: string; file: string; codes: readonly string[] }[] = [
  { name: 'API_ERROR_CODES', file: 'protocol/src/realtime.ts', codes: API_ERROR_CODES },
  {
    name: 'IMPORT_FILE_ERROR_CODES',
    file: 'protocol/src/import.ts',
    codes: IMPORT_FILE_ERROR_CODES,
  },
  { name: 'IMPORT_ROW_ERROR_CODES', file: 'protocol/src/import.ts', codes: IMPORT_ROW_ERROR_CODES },
  { name: 'REJECT_CODES', file: 'protocol/src/messages.ts', codes: REJECT_CODES },
  { name: 'CONTRACT_ERROR_CODES', file: 'protocol/src/contract.ts', codes: CONTRACT_ERROR_CODES },
  { name: 'COMMAND_ERROR_CODES', file: 'protocol/src/messages.ts', codes: COMMAND_ERROR_CODES },
  { name: 'CONFIG_REFUSAL_CODES', file: 'protocol/src/control.ts', codes: CONFIG_REFUSAL_CODES },
  { name: 'CLAIM_ERROR_CODES', file: 'protocol/src/claim.ts', codes: CLAIM_ERROR_CODES },
  { name: 'GATEWAY_ERROR_CODES', file: 'gateway/src/errors.ts', codes: GATEWAY_ERROR_CODES },
  {
    name: 'mr60fda1 REJECT',
    file: 'devices/src/mr60fda1/tables.ts',
    codes: Object.values(mr60fda1Codec.REJECT),
  },
  {
    name: 'mr60fda2 REJECT',
    file: 'devices/src/mr60fda2/tables.ts',
    codes: Object.values(mr60fda2Codec.REJECT),
  },
];

const PRODUCT_ROOTS = ['protocol/src', 'devices/src', 'gateway/src', 'hub/src', 'cli/src'];

/** Product sources: not tests, not test scaffolding. */
function sources(): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'test-support' && name !== 'testing' && name !== 'node_modules') walk(path);
      } else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) {
        out.push({ file: relative(root, path), text: readFileSync(path, 'utf8') });
      }
    }
  };
  for (const r of PRODUCT_ROOTS) walk(join(root, r));
  return out;
}

const LITERAL = /'([A-Z][A-Z0-9_]+)'/g;
/** `code: 'X'`, `code?: 'X' | 'Y'`, `reject('X')`, `rejectHeader('X')`, `rejectFrame('X')`. */
const CODE_SITE =
  /(?:\bcode\??:\s*(?:\|\s*)?|\b(?:reject|rejectHeader|rejectFrame)\()((?:'[A-Z][A-Z0-9_]+'(?:\s*\|\s*)?)+)/g;
const CODES_ARRAY = /export const ([A-Z0-9_]*CODES) = \[([^\]]*)\]/g;

describe('docs/error-codes.md', () => {
  it.each(ARRAYS.map((a) => [a.name, a] as const))(
    'lists every code of %s in its own section',
    (_name, array) => {
      const section = sectionNaming(array.name);
      expect(
        section,
        `docs/error-codes.md has no section naming ${array.name} (${array.file})`,
      ).toBeDefined();
      const missing = array.codes.filter((c) => !listed(section ?? '', c));
      expect(
        missing,
        `codes of ${array.name} (${array.file}) missing from its section of docs/error-codes.md`,
      ).toEqual([]);
    },
  );

  it('covers every …CODES array a part exports', () => {
    const known = new Set(ARRAYS.map((a) => a.name));
    const problems: string[] = [];
    for (const { file, text } of sources()) {
      for (const m of text.matchAll(CODES_ARRAY)) {
        const name = m[1] ?? '';
        const section = sectionNaming(name);
        if (!section) {
          problems.push(`${file} exports ${name}: no section of docs/error-codes.md names it`);
          continue;
        }
        for (const [, code] of (m[2] ?? '').matchAll(LITERAL))
          if (code && !listed(section, code))
            problems.push(`${file}: ${name} code "${code}" is not listed in its section`);
        if (!known.has(name)) known.add(name);
      }
    }
    expect(problems).toEqual([]);
  });

  it('lists every code literal the product code returns or logs', () => {
    const missing: string[] = [];
    const seen = new Set<string>();
    for (const { file, text } of sources()) {
      for (const site of text.matchAll(CODE_SITE)) {
        for (const [, code] of (site[1] ?? '').matchAll(LITERAL)) {
          if (!code || seen.has(`${code} ${file}`)) continue;
          seen.add(`${code} ${file}`);
          if (!listed(doc, code)) missing.push(`"${code}" (${file})`);
        }
      }
    }
    // The scan must see the codes it is meant to see, or it would pass by finding nothing.
    expect(seen.size).toBeGreaterThan(80);
    expect(missing, 'codes missing from docs/error-codes.md').toEqual([]);
  });

  it('names no code twice with a different meaning in one table', () => {
    for (const section of sections) {
      const rows = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
      const dupes = rows.filter((c, i) => rows.indexOf(c) !== i);
      expect(dupes, `section "${section.split('\n')[0]}" lists a code twice`).toEqual([]);
    }
  });
});
