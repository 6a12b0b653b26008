/** Which seqs an outbox removal names, as one range when it can (outbox.ts `remove`). */

/** `seqs` as [from, to] when they are exactly the integers from..to (in any order), else undefined. */
export function contiguousRange(seqs: readonly number[]): { from: number; to: number } | undefined {
  let from = Infinity;
  let to = -Infinity;
  for (const seq of seqs) {
    if (!Number.isSafeInteger(seq)) return undefined;
    if (seq < from) from = seq;
    if (seq > to) to = seq;
  }
  if (to - from + 1 !== seqs.length || new Set(seqs).size !== seqs.length) return undefined;
  return { from, to };
}
