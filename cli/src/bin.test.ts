import { execFile } from 'node:child_process';
import {
  accessSync,
  constants,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The README's commands are `npx anxin …` from the repository root on a fresh clone, where npm
// links bins at `npm ci` time, before anything is built. These tests hold that promise.
const exec = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cliPackage = JSON.parse(readFileSync(join(root, 'cli/package.json'), 'utf8')) as {
  bin: Record<string, string>;
};

describe('the anxin bin on a fresh clone', () => {
  it('points at a committed file, not at the build output npm ci cannot see yet', () => {
    const bin = cliPackage.bin['anxin'];
    expect(bin).toBe('./bin/anxin.js');
    const file = join(root, 'cli', bin ?? '');
    // Executable in the repository, so the link works even where npm does not chmod it.
    accessSync(file, constants.X_OK);
    expect(readFileSync(file, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('is linked in node_modules/.bin and `npx anxin --help` runs from the repository root', async () => {
    const link = join(root, 'node_modules/.bin/anxin');
    expect(realpathSync(link)).toBe(realpathSync(join(root, 'cli/bin/anxin.js')));
    const { stdout } = await exec('npx', ['--no-install', 'anxin', '--help'], {
      cwd: root,
      timeout: 20_000,
    });
    expect(stdout).toContain('Usage: anxin <command>');
    expect(stdout).toContain('  sim');
  });

  it('says to run `npm run build` (exit 1) when the command is not built yet', async () => {
    // The shim alone, in a copy of cli/ that has no dist/: what a fresh clone has before its build.
    const dir = mkdtempSync(join(tmpdir(), 'anxin-bin-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(join(root, 'cli/bin/anxin.js'), join(dir, 'bin/anxin.js'));
      const failure = await exec(process.execPath, [join(dir, 'bin/anxin.js'), '--help'], {
        timeout: 10_000,
      }).then(
        () => undefined,
        (err: { code?: number; stderr?: string }) => err,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toContain('cli/dist/main.js is missing');
      expect(failure?.stderr).toContain('npm run build');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
