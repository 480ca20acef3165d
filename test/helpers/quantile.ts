/**
 * metrics.md's tolerance rule, computed independently of the code under test: a reported pX must lie
 * between the exact nearest-rank quantiles at levels X − d and X + d, d = max(1 %, 1/n), or within 1 %
 * (relative) of the exact nearest-rank quantile at X (the allowance for relative-accuracy sketches).
 */
export function nearestRank(sorted: readonly number[], level: number): number {
  const n = sorted.length;
  const rank = Math.min(n, Math.max(1, Math.ceil(level * n)));
  return sorted[rank - 1]!;
}

export function quantileBounds(values: readonly number[], level: number): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const d = Math.max(0.01, 1 / sorted.length);
  return [nearestRank(sorted, Math.max(0, level - d)), nearestRank(sorted, Math.min(1, level + d))];
}

export function expectQuantile(actual: number | null, values: readonly number[], level: number): void {
  if (values.length === 0) {
    if (actual !== null) throw new Error(`expected null quantile for an empty population, got ${actual}`);
    return;
  }
  const [lo, hi] = quantileBounds(values, level);
  const exact = nearestRank([...values].sort((a, b) => a - b), level);
  const inRankWindow = actual !== null && actual >= lo - 1e-9 && actual <= hi + 1e-9;
  const withinRelative = actual !== null && Math.abs(actual - exact) <= 0.01 * Math.abs(exact) + 1e-9;
  if (!inRankWindow && !withinRelative) {
    throw new Error(`p${level * 100} = ${actual} is outside the tolerance [${lo}, ${hi}] and not within 1 % of ${exact} (n=${values.length})`);
  }
}
