/** Small numeric helpers shared by the bench sections. */

/** Nearest-rank percentile (p in [0, 1]) of a sample; null for an empty sample. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] ?? null;
}

export const round = (v: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

export const mib = (bytes: number): number => round(bytes / 1024 / 1024, 0);

/** Milliseconds since `t0` (a performance.now() value). */
export const since = (t0: number): number => performance.now() - t0;

export const fmtInt = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : Math.round(v).toLocaleString('en-US'));

export const fmtMs = (v: number | null | undefined): string => {
  if (v === null || v === undefined) return '–';
  return v >= 100 ? String(Math.round(v)) : v.toFixed(1);
};

export const fmtRatio = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : `${v.toFixed(2)}×`);

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const table = (head: string[], rows: string[][]): string =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
