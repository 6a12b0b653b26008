import { describe, expect, it } from 'vitest';
import { histogramScrape, windowFigures } from './prom-histogram.js';

const text = (counts: number[]) =>
  [
    '# HELP lag x',
    '# TYPE lag histogram',
    `lag_bucket{le="0.001"} ${counts[0]}`,
    `lag_bucket{le="0.01"} ${counts[1]}`,
    `lag_bucket{le="0.1"} ${counts[2]}`,
    `lag_bucket{le="+Inf"} ${counts[3]}`,
    `lag_sum 1`,
    `lag_count ${counts[3]}`,
    'other_bucket{le="0.001"} 99',
  ].join('\n');

describe('a hub histogram between two scrapes', () => {
  it('reads the buckets of the named histogram only, +Inf last', () => {
    expect(histogramScrape(text([1, 2, 3, 4]), 'lag')).toEqual({
      le: [0.001, 0.01, 0.1, Infinity],
      counts: [1, 2, 3, 4],
    });
    expect(histogramScrape(text([1, 2, 3, 4]), 'missing')).toEqual({ le: [], counts: [] });
  });

  it('gives the quantiles of what was observed in between, interpolated in the bucket', () => {
    const before = histogramScrape(text([10, 10, 10, 10]), 'lag');
    // Between: 98 under 1 ms, 1 in (1, 10] ms, 1 in (10, 100] ms.
    const after = histogramScrape(text([108, 109, 110, 110]), 'lag');
    const f = windowFigures(before, after);
    expect(f.count).toBe(100);
    expect(f.p50).toBeCloseTo(0.5, 1);
    // Rank 99 is the one in (1, 10] ms, at the top of it.
    expect(f.p99).toBeCloseTo(10, 1);
    expect(f.maxBelowMs).toBeCloseTo(100, 6);
  });

  it('says "over the last bound" rather than inventing a value, and null for an empty window', () => {
    const before = histogramScrape(text([0, 0, 0, 0]), 'lag');
    const slow = windowFigures(before, histogramScrape(text([0, 0, 0, 5]), 'lag'));
    expect(slow.p99).toBe(100);
    expect(slow.maxBelowMs).toBe(Infinity);
    expect(windowFigures(before, before)).toEqual({
      count: 0,
      p50: null,
      p99: null,
      maxBelowMs: null,
    });
  });
});
