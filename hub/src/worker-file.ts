/**
 * Where a hub worker thread's compiled file is: `hub/dist/<path>`. From dist/ it is beside the
 * module asking; from src/ (the test runner transpiles .ts in memory, and a worker thread cannot)
 * it is the hub's built copy.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `path` relative to hub/src (or hub/dist), e.g. `telemetry/embedded-writer-worker.js`. */
export function hubWorkerFile(path: string): string {
  const built = import.meta.url.endsWith('.ts')
    ? new URL(`../dist/${path}`, import.meta.url)
    : new URL(`./${path}`, import.meta.url);
  const file = fileURLToPath(built);
  if (!existsSync(file))
    throw new Error(`hub worker not built (${file}): run npm run build (or npx tsc -b hub)`);
  return file;
}
