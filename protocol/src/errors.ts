/**
 * What a caught value says about itself. A `catch` binds `unknown` (anything can be thrown), so
 * these read it without a cast (`(err as Error).message` logs "undefined" for a thrown string).
 */

/** The error's message, or the thrown value as text. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A Node system error's code (`ENOENT`, `EACCES`…), if the value carries one. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}
