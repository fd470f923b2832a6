/**
 * "Did you mean ...?": the nearest allowed word to a typo, for error
 * messages about unknown options and flags.
 *
 * @module
 */

/**
 * The allowed word nearest to `word`, if it is a plausible typo: within
 * about a third of its length in edits, or (for three letters or more) a
 * prefix of it, case ignored.
 *
 * @param word What was written.
 * @param allowed What is accepted.
 * @returns The suggestion, or `undefined`.
 */
export function closest(
  word: string,
  allowed: readonly string[],
): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of allowed) {
    const other = candidate.toLowerCase();
    // A prefix ("--conc") is as good as a near miss.
    if (lower.length >= 3 && other.startsWith(lower)) return candidate;
    const distance = editDistance(lower, other);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}
