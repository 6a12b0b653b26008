/**
 * One production build of the web apps for all browser test files of a run: the first file to
 * ask builds (vite build) into web/node_modules/.cache/browser-test-build/<key>, the others wait
 * for it. The key hashes the sources (web/src, protocol/src, index.html, vite config), so a
 * change rebuilds and an unchanged tree reuses the build; older builds are removed. The build is
 * kept in a cache folder (like vite's own cache), never in web/dist (the hub's build).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const repoRoot = resolve(webDir, '..');
const cacheDir = join(webDir, 'node_modules', '.cache', 'browser-test-build');

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((e) => {
      const path = join(dir, e.name);
      return e.isDirectory() ? listFiles(path) : Promise.resolve([path]);
    }),
  );
  return files.flat();
}

async function sourceKey(): Promise<string> {
  const files = [
    ...(await listFiles(join(webDir, 'src'))).filter((f) => !/\.test\.ts$/.test(f)),
    ...(await listFiles(join(repoRoot, 'protocol', 'src'))),
    join(webDir, 'index.html'),
    join(webDir, 'vite.config.ts'),
    join(webDir, 'package.json'),
  ].sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file);
    hash.update(await readFile(file));
  }
  return hash.digest('hex').slice(0, 16);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The folder with index.html and assets/ for the current sources. */
export async function webBuild(): Promise<string> {
  const key = await sourceKey();
  const outDir = join(cacheDir, key);
  const done = join(outDir, '.complete');
  const lock = join(cacheDir, `${key}.lock`);
  await mkdir(cacheDir, { recursive: true });
  for (let attempt = 0; attempt < 1200; attempt += 1) {
    if (existsSync(done)) return outDir;
    try {
      await mkdir(lock); // atomic: only one file builds
    } catch {
      // Someone else builds; a lock older than 3 min is from a run that died.
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 180_000) await rm(lock, { recursive: true, force: true });
      await sleep(100);
      continue;
    }
    try {
      for (const old of await readdir(cacheDir)) {
        if (!old.startsWith(key)) await rm(join(cacheDir, old), { recursive: true, force: true });
      }
      await promisify(execFile)(
        process.execPath,
        [
          join(repoRoot, 'node_modules/vite/bin/vite.js'),
          'build',
          '--outDir',
          outDir,
          '--emptyOutDir',
          '--logLevel',
          'error',
        ],
        { cwd: webDir, timeout: 120_000 },
      );
      await writeFile(done, new Date().toISOString());
      return outDir;
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
  throw new Error('timed out waiting for the web build');
}
