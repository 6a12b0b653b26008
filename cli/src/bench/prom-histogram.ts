/**
 * A hub's Prometheus histogram read by a benchmark: the cumulative bucket counts at one scrape,
 * and quantiles over what was observed between two scrapes, interpolated inside a bucket as
 * Prometheus' histogram_quantile does. Pure.
 */

export interface HistogramScrape {
  /** Upper bounds in seconds, ascending; the last is Infinity (+Inf). */
  le: number[];
  /** Cumulative counts, one per bound. */
  counts: number[];
}

/** The `NAME_bucket{le="…"}` lines of `text` (the first series of that name); empty if none. */
export function histogramScrape(text: string, name: string): HistogramScrape {
  const rows: [number, number][] = [];
  const prefix = `${name}_bucket{`;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const match = /le="([^"]+)"\}\s+(\S+)/.exec(line);
    if (!match) continue;
    const le = match[1] === '+Inf' ? Infinity : Number(match[1]);
    const count = Number(match[2]);
    if (!Number.isNaN(le) && Number.isFinite(count)) rows.push([le, count]);
  }
  rows.sort((a, b) => a[0] - b[0]);
  return { le: rows.map((r) => r[0]), counts: rows.map((r) => r[1]) };
}

export interface WindowFigures {
  count: number;
  /** Milliseconds; null when nothing was observed. */
  p50: number | null;
  p99: number | null;
  /** The upper bound of the highest bucket anything fell in (ms; Infinity: over the last bound). */
  maxBelowMs: number | null;
}

/** Quantiles (ms) of the observations between `before` and `after` (same buckets). */
export function windowFigures(before: HistogramScrape, after: HistogramScrape): WindowFigures {
  const counts = after.counts.map((c, i) => c - (before.counts[i] ?? 0));
  const total = counts.at(-1) ?? 0;
  if (total <= 0) return { count: 0, p50: null, p99: null, maxBelowMs: null };
  const quantile = (q: number): number => {
    const rank = q * total;
    for (let i = 0; i < counts.length; i++) {
      const upTo = counts[i] ?? 0;
      if (upTo < rank) continue;
      const upper = after.le[i] ?? Infinity;
      const lower = i === 0 ? 0 : (after.le[i - 1] ?? 0);
      // Over the last finite bound: that bound is all one can say (as histogram_quantile).
      if (upper === Infinity) return lower * 1000;
      const below = i === 0 ? 0 : (counts[i - 1] ?? 0);
      const inBucket = upTo - below;
      const within = inBucket > 0 ? (rank - below) / inBucket : 1;
      return (lower + (upper - lower) * within) * 1000;
    }
    return (after.le.at(-2) ?? 0) * 1000;
  };
  let top = counts.length - 1;
  while (top > 0 && (counts[top] ?? 0) === (counts[top - 1] ?? 0)) top -= 1;
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    count: total,
    p50: round(quantile(0.5)),
    p99: round(quantile(0.99)),
    maxBelowMs: (after.le[top] ?? Infinity) * 1000,
  };
}
