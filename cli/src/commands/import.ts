/**
 * `anxin import KIND FILE`: sends a district's CSV or XLSX file to a running hub's import API
 * (protocol/src/import.ts) as an administrator or supervisor, and prints what the hub says. A
 * dry run by default (nothing written; every row's error listed); `--apply` writes, all rows or
 * none. The password comes from ANXIN_PASSWORD or --password-file, never the command line
 * (where `ps` and shell history would show it).
 */
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import {
  IMPORT_KINDS,
  IMPORT_MAX_BYTES,
  XLSX_CONTENT_TYPE,
  ApiErrorSchema,
  ImportReportSchema,
  errnoCode,
  errorMessage,
  parsePayload,
  type ImportKind,
  type ImportReport,
} from '@anxin/protocol';
import { parseCommandArgs } from '../args.js';
import { UsageError, writeLine, type Command, type CommandIo } from '../command.js';

const DEFAULT_HUB = 'http://127.0.0.1:8080';
/** Rows of errors printed; the rest are counted (`--json` prints them all). */
const PRINT_ERRORS = 200;
const REQUEST_TIMEOUT_MS = 10 * 60_000;
/** The largest hub answer read (a report lists every refused row of a file of IMPORT_MAX_BYTES). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

export const importCommand: Command = {
  name: 'import',
  summary:
    'check (dry run) or import homes, residents, contacts or welfare plans from a CSV/XLSX file',
  usage: [
    'Usage: anxin import KIND FILE [--apply] [--hub URL] [--user NAME] [--password-file PATH]',
    '                              [--encoding utf-8|gb18030] [--json]',
    '',
    `KIND: ${IMPORT_KINDS.join(', ')} (in that order: residents name homes, plans name residents)`,
    'FILE: .csv (RFC 4180, header row first) or .xlsx (first sheet); templates: GET',
    "      /api/v1/import/KIND/template?lang=zh-CN, or the console's import page.",
    '',
    '--apply          write the rows (all or none); without it the hub only checks the file',
    `--hub URL        the hub's console address (default $ANXIN_HUB_URL, else ${DEFAULT_HUB});`,
    '                 for https with a private CA set NODE_EXTRA_CA_CERTS=ca.pem',
    '--user NAME      an administrator, or a supervisor importing into their areas ($ANXIN_USER)',
    '--password-file  a file holding the password; else $ANXIN_PASSWORD',
    '--encoding       gb18030 for a CSV saved by Excel in Chinese as plain "CSV" (default utf-8)',
    "--json           print the hub's report as JSON",
    '',
    'Exit code 0 when the file is clean (dry run) or was imported (--apply), 1 when the hub',
    'found errors, refused, or could not be reached, 2 for a usage error.',
  ].join('\n'),
  run: importFile,
};

interface Options {
  kind: ImportKind;
  file: string;
  apply: boolean;
  hub: string;
  user: string;
  password: string;
  encoding: 'utf-8' | 'gb18030';
  json: boolean;
}

async function options(args: string[]): Promise<Options> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      apply: { type: 'boolean' },
      hub: { type: 'string' },
      user: { type: 'string' },
      'password-file': { type: 'string' },
      encoding: { type: 'string' },
      json: { type: 'boolean' },
    },
    true,
  );
  const [kindArg, file, ...extra] = positionals;
  const kind = IMPORT_KINDS.find((k) => k === kindArg);
  if (!kind) throw new UsageError(`KIND must be one of ${IMPORT_KINDS.join(', ')}`);
  if (!file) throw new UsageError('name the FILE');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const encoding = values.encoding ?? 'utf-8';
  if (encoding !== 'utf-8' && encoding !== 'gb18030')
    throw new UsageError('--encoding must be utf-8 or gb18030');
  const hub = (values.hub ?? process.env.ANXIN_HUB_URL ?? DEFAULT_HUB).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(hub))
    throw new UsageError(`--hub must be http(s)://host[:port], got "${hub}"`);
  const user = values.user ?? process.env.ANXIN_USER;
  if (!user) throw new UsageError('name the user with --user or ANXIN_USER');
  let password = process.env.ANXIN_PASSWORD;
  if (values['password-file'] !== undefined) {
    try {
      password = (await readFile(values['password-file'], 'utf8')).replace(/\r?\n$/, '');
    } catch (e) {
      throw new UsageError(`cannot read --password-file: ${errorMessage(e)}`);
    }
  }
  if (!password) throw new UsageError('give the password in ANXIN_PASSWORD or --password-file');
  return {
    kind,
    file,
    apply: values.apply === true,
    hub,
    user,
    password,
    encoding,
    json: values.json === true,
  };
}

class Refused extends Error {}

async function call(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (e) {
    // fetch's own message is "fetch failed"; what went wrong (ECONNREFUSED…) is in its cause.
    const cause = e instanceof Error ? e.cause : undefined;
    const why = cause === undefined ? errorMessage(e) : (errnoCode(cause) ?? errorMessage(cause));
    throw new Refused(`cannot reach the hub at ${new URL(url).origin}: ${why}`);
  }
}

async function apiError(res: Response): Promise<string> {
  const text = await res.text();
  const parsed = parsePayload(ApiErrorSchema, text, MAX_ANSWER_BYTES);
  if (!parsed.ok) return `HTTP ${res.status}: ${text.slice(0, 200)}`;
  const { error } = parsed.value;
  const details = (error.details ?? []).map((d) => `\n  ${d.path}: ${d.message}`);
  return `HTTP ${res.status} ${error.code}: ${error.message}${details.join('')}`;
}

async function session(o: Options): Promise<string> {
  const res = await call(`${o.hub}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: o.user, password: o.password }),
  });
  if (!res.ok) throw new Refused(`login as ${o.user} refused: ${await apiError(res)}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  if (cookie === '') throw new Refused('the hub answered the login without a session cookie');
  return cookie;
}

async function send(o: Options, cookie: string, bytes: Buffer, dryRun: boolean) {
  const xlsx = extname(o.file).toLowerCase() === '.xlsx';
  const query = new URLSearchParams({ dryRun: String(dryRun), encoding: o.encoding });
  return call(`${o.hub}/api/v1/import/${o.kind}?${query.toString()}`, {
    method: 'POST',
    headers: {
      cookie,
      'content-type': xlsx ? XLSX_CONTENT_TYPE : 'text/csv; charset=utf-8',
    },
    body: new Uint8Array(bytes),
  });
}

function print(io: CommandIo, r: ImportReport): void {
  for (const e of r.fileErrors) writeLine(io.stderr, `file: ${e.code}: ${e.message}`);
  for (const e of r.errors.slice(0, PRINT_ERRORS))
    writeLine(io.stderr, `row ${e.row}${e.column ? ` ${e.column}` : ''}: ${e.code}: ${e.message}`);
  if (r.errorCount > PRINT_ERRORS)
    writeLine(io.stderr, `… and ${r.errorCount - PRINT_ERRORS} more errors (--json lists them)`);
  const counts = `${r.rows} rows: ${r.created} new, ${r.updated} updates, ${r.errorCount + r.fileErrors.length} errors`;
  writeLine(
    io.stdout,
    r.applied
      ? `imported ${r.kind}: ${counts}`
      : `checked ${r.kind} (dry run, nothing written): ${counts}`,
  );
  // An interrupted import is completed by running the same file again: say so.
  if (r.job?.resumed)
    writeLine(
      io.stdout,
      `completed the interrupted import job ${r.job.id} (${r.job.rowsSkipped} rows were already written)`,
    );
}

async function importFile(args: string[], io: CommandIo): Promise<number> {
  const o = await options(args);
  let bytes: Buffer;
  try {
    const size = (await stat(o.file)).size;
    if (size > IMPORT_MAX_BYTES)
      throw new UsageError(
        `${o.file} is larger than ${IMPORT_MAX_BYTES / 1024 / 1024} MiB: split it`,
      );
    bytes = await readFile(o.file);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${o.file}: ${errorMessage(e)}`);
  }
  try {
    const cookie = await session(o);
    let res = await send(o, cookie, bytes, !o.apply);
    // A refused real run lists only the first errors: a dry run of the same file lists them all.
    if (o.apply && res.status === 400) {
      await res.body?.cancel();
      res = await send(o, cookie, bytes, true);
    }
    if (!res.ok) throw new Refused(`import refused: ${await apiError(res)}`);
    const answer = parsePayload(ImportReportSchema, await res.text(), MAX_ANSWER_BYTES);
    if (!answer.ok)
      throw new Refused(
        `the hub's report is not one this anxin reads (${answer.message}); are the hub and this command the same version?`,
      );
    const report = answer.value;
    if (o.json) writeLine(io.stdout, JSON.stringify(report, null, 2));
    else print(io, report);
    if (o.apply && !report.applied) writeLine(io.stderr, 'nothing was written');
    const clean = report.errorCount === 0 && report.fileErrors.length === 0;
    return clean && (report.applied || !o.apply) ? 0 : 1;
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    writeLine(io.stderr, `anxin import: ${e.message}`);
    return 1;
  }
}
