import { isRecord } from '@anxin/protocol';

/** Shortens a script URL (for the profile summaries' rows) to `nm:<package>` or its path inside the repository. */
export function shortFile(url: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `nm:${pkg[1]}`;
  return url.replace(/^file:\/\//, '').replace(/^.*?\/(hub|gateway|cli|protocol|devices)\//, '$1/');
}

/** A V8 profile node's callFrame, as both profile kinds write it (the fields the summaries read). */
export function isCallFrame(
  value: unknown,
): value is { functionName: string; url: string; lineNumber: number } {
  return (
    isRecord(value) &&
    typeof value['functionName'] === 'string' &&
    typeof value['url'] === 'string' &&
    typeof value['lineNumber'] === 'number'
  );
}
