/** Shortens a script URL (for the profile summaries' rows) to `nm:<package>` or its path inside the repository. */
export function shortFile(url: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `nm:${pkg[1]}`;
  return url.replace(/^file:\/\//, '').replace(/^.*?\/(hub|gateway|cli|protocol|devices)\//, '$1/');
}
