/**
 * Row-to-DTO helpers shared by the care stores: times as ISO strings, JSON columns read leniently
 * (a row written by an older hub or by hand must not break a listing).
 */
export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : iso(ms);

/** The column's JSON, or `fallback` when it is empty or not JSON. */
export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
