import { copyDatabase, CopyError, describeTarget, parseDatabaseArgument } from '@anxin/hub';
import { pino } from 'pino';
import { intOption, parseCommandArgs } from '../args.js';
import { UsageError, writeLine, type Command } from '../command.js';

export const dbCommand: Command = {
  name: 'db',
  summary: "copy a SQLite hub's SQL state into PostgreSQL (to move up to several hubs)",
  usage: [
    'Usage: anxin db copy --from FILE.db --to postgres://USER@HOST:5432/DB [--force] [--batch N]',
    '',
    "Copies every table of a (stopped) SQLite hub's state into PostgreSQL. Both sides are first",
    'migrated to the current schema, exactly as the hub migrates at start; the copy runs in one',
    'PostgreSQL transaction (all or nothing), in foreign-key order, in batches of --batch rows',
    '(default 1000), compares row counts per table before committing, and moves the identity',
    'sequences past the copied ids. A target that already holds data is refused unless --force',
    '(which replaces it). The password may come from PGPASSWORD instead of the URL. Telemetry',
    '(telemetry.db or InfluxDB) is not SQL state and is not copied.',
    '',
    'Then set database.driver: postgres and database.postgres.url in the hub config.',
    'Exit codes: 0 copied, 1 failed (nothing committed), 2 usage or refused (no such --from file,',
    'target not empty).',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        from: { type: 'string' },
        to: { type: 'string' },
        force: { type: 'boolean', default: false },
        batch: { type: 'string' },
        verbose: { type: 'boolean', short: 'v', default: false },
      },
      true,
    );
    if (positionals[0] !== 'copy' || positionals.length !== 1)
      throw new UsageError('the only sub-command is: anxin db copy');
    if (!values.from) throw new UsageError('give --from FILE.db (the SQLite hub state)');
    if (!values.to) throw new UsageError('give --to postgres://USER@HOST:PORT/DATABASE');
    const from = parseDatabaseArgument(values.from, '--from');
    const to = parseDatabaseArgument(values.to, '--to');
    if (from.driver !== 'sqlite') throw new UsageError('--from must be a SQLite file');
    if (to.driver !== 'postgres') throw new UsageError('--to must be a postgres:// URL');
    const batchRows = intOption(values.batch, '--batch', 1000, 1, 100_000);
    const log = pino(
      { level: values.verbose ? 'info' : 'warn' },
      pino.destination({ dest: 2, sync: true }),
    );
    writeLine(io.stderr, `copying ${describeTarget(from)} → ${describeTarget(to)}`);
    try {
      const report = await copyDatabase(from, to, { force: values.force, batchRows, log });
      writeLine(io.stdout, JSON.stringify({ ok: true, ...report }));
      return 0;
    } catch (err) {
      if (!(err instanceof CopyError)) throw err;
      writeLine(io.stderr, `anxin db copy: ${err.code}: ${err.message}`);
      writeLine(io.stdout, JSON.stringify({ ok: false, code: err.code, message: err.message }));
      return ['TARGET_NOT_EMPTY', 'SOURCE_MISSING', 'UNSUPPORTED'].includes(err.code) ? 2 : 1;
    }
  },
};
