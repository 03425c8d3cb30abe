/**
 * Typos of configuration variable names (core/config.ts reports them as problems): a name that is
 * not one of ours but looks like one is almost always a mistake that would otherwise be ignored.
 */
const squash = (name: string): string => name.toUpperCase().replace(/_/g, '');

/** Levenshtein distance, O(|a|·|b|) time and O(|b|) space (names are short). */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, k) => k);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length] ?? 0;
}

/**
 * Edits a name may be away from a known one and still count as a typo of it: two, and three for
 * names of twelve letters or more (`REBALANCE_POLICIES` is three edits from `REBALANCE_POLICY`).
 */
const editsAllowed = (squashed: string): number => (squashed.length >= 12 ? 3 : 2);

/**
 * The known variable an unknown name most likely meant, if it looks like ours: equal but for case
 * and underscores (`DRYRUN`), within two edits (`SHORTAGE_THRESHOLDS`; three for long names), or a
 * prefix of six or more characters (`DRAIN_TIMEOUT`). Anything else (PATH, AWS_*, NODE_OPTIONS…)
 * is not ours to judge.
 */
export function lookAlike(name: string, known: readonly string[]): string | undefined {
  if (known.includes(name)) return undefined;
  const n = squash(name);
  let best: { name: string; d: number } | undefined;
  for (const candidate of known) {
    const k = squash(candidate);
    const d = n === k ? 0 : n.length >= 5 && distance(n, k) <= editsAllowed(n) ? distance(n, k) : Math.min(n.length, k.length) >= 6 && (k.startsWith(n) || n.startsWith(k)) ? 3 : Infinity;
    if (d !== Infinity && (best === undefined || d < best.d)) best = { name: candidate, d };
  }
  return best?.name;
}
