#!/usr/bin/env node
// The `anxin` command as npm links it (`npx anxin …`, node_modules/.bin/anxin).
//
// Why a committed file and not dist/main.js: npm makes bin links while it installs (`npm ci`),
// before `npm run build` has produced dist/, and it skips a bin whose file does not exist — so a
// fresh clone had no `anxin` link at all and `npx anxin` answered "could not determine executable
// to run". This file always exists; it loads the built command, or says how to build it.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

const main = new URL('../dist/main.js', import.meta.url);
if (existsSync(main)) {
  await import(main.href);
} else {
  process.stderr.write(
    'anxin: the command is not built yet (cli/dist/main.js is missing).\n' +
      'Run `npm run build` from the repository root (`npm start` and `npm test` build it too), ' +
      'then try again.\n',
  );
  process.exitCode = 1;
}
