import type { SeriesPoint } from '@/components/data/types';

export interface Run {
  from: number;
  to: number;
  worst: number;
}

/** Contiguous buckets whose p95 exceeds the SLO: the outage windows to shade and name. */
export function breachRuns(points: readonly SeriesPoint[], sloSeconds: number, bucketSeconds: number): Run[] {
  const runs: Run[] = [];
  let cur: Run | null = null;
  for (const p of points) {
    const t = Date.parse(p.t);
    if (p.p95 !== null && p.p95 > sloSeconds) {
      if (cur) {
        cur.to = t + bucketSeconds * 1000;
        cur.worst = Math.max(cur.worst, p.p95);
      } else cur = { from: t, to: t + bucketSeconds * 1000, worst: p.p95 };
    } else if (cur) {
      runs.push(cur);
      cur = null;
    }
  }
  if (cur) runs.push(cur);
  return runs;
}

/** Failure rate per bucket, for sparklines. */
export const failureRates = (points: readonly SeriesPoint[]): (number | null)[] =>
  points.map((p) => (p.messages > 0 ? (p.failed + p.dead_lettered) / p.messages : null));
