#!/usr/bin/env node
/** The `anxin` command. Everything lives in run.ts so tests can call it without a process. */
import { run } from './run.js';

process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
});
