/**
 * metrics.md's tolerance rule, computed independently of the code under test: a reported pX must lie
 * between the exact nearest-rank quantiles at levels X − d and X + d, d = max(1 %, 1/n).
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
  if (actual === null || actual < lo - 1e-9 || actual > hi + 1e-9) {
    throw new Error(`p${level * 100} = ${actual} is outside the tolerance [${lo}, ${hi}] (n=${values.length})`);
  }
}
