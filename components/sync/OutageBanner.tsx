'use client';
import type { SyncLagHintsResponse, SyncLagSeriesResponse } from '@/components/data/types';
import { breachRuns } from '@/components/charts/series';
import { formatDuration } from '@/lib/format/duration';
import { formatPercent } from '@/lib/format/number';
import { formatDateTime } from '@/lib/format/time';
import { hintsFor, LagHints } from './LagHints';

interface Failing {
  warehouse_id: string;
  failure_rate: number;
}

/**
 * Names every window where a warehouse's p95 lag broke the SLO, and every warehouse whose failure rate is
 * at the summary's breach level, each with its lag hints (metrics.md §10), so the outage and its likely
 * cause are visible without reading charts.
 */
export function OutageBanner({
  series,
  slo,
  tz,
  hints,
  failing = [],
  failureBreach,
}: {
  series: SyncLagSeriesResponse;
  slo: number;
  tz: string;
  hints?: SyncLagHintsResponse;
  failing?: readonly Failing[];
  failureBreach?: number;
}) {
  const hits = series.warehouses
    .map((w) => ({ warehouse_id: w.warehouse_id, runs: breachRuns(w.points, slo, series.bucket_seconds) }))
    .filter((w) => w.runs.length > 0);
  const failOnly = failing.filter((f) => !hits.some((h) => h.warehouse_id === f.warehouse_id));
  if (hits.length === 0 && failOnly.length === 0) {
    return (
      <p role="status" className="rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950/40 dark:text-emerald-200">
        Sync lag p95 stayed within the {formatDuration(slo)} SLO in every bucket.
      </p>
    );
  }
  const plural = (n: number) => `${n} warehouse${n === 1 ? '' : 's'}`;
  return (
    <div role="status" data-testid="outage" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/40 dark:text-red-100">
      <p className="font-semibold">
        {hits.length > 0 ? `Sync lag p95 above the ${formatDuration(slo)} SLO in ${plural(hits.length)}` : null}
        {hits.length > 0 && failOnly.length > 0 ? '; ' : null}
        {failOnly.length > 0 ? `failure rate at or above ${formatPercent(failureBreach)} in ${plural(failOnly.length)}` : null}
      </p>
      <ul className="mt-1 space-y-0.5">
        {hits.slice(0, 8).map((w) => (
          <li key={w.warehouse_id}>
            <span className="font-medium">{w.warehouse_id}</span>:{' '}
            {w.runs
              .slice(0, 3)
              .map((r) => `${formatDateTime(r.from, tz)} – ${formatDateTime(r.to, tz)} (worst p95 ${formatDuration(r.worst)})`)
              .join('; ')}
            {w.runs.length > 3 ? `; +${w.runs.length - 3} more` : ''}
            <LagHints hints={hintsFor(hints, w.warehouse_id)} warehouse={w.warehouse_id} className="pl-3" />
          </li>
        ))}
        {hits.length > 8 ? <li>+{hits.length - 8} more warehouses</li> : null}
        {failOnly.slice(0, 8).map((f) => (
          <li key={f.warehouse_id}>
            <span className="font-medium">{f.warehouse_id}</span>: failure rate {formatPercent(f.failure_rate)}
            <LagHints hints={hintsFor(hints, f.warehouse_id)} warehouse={f.warehouse_id} className="pl-3" />
          </li>
        ))}
        {failOnly.length > 8 ? <li>+{failOnly.length - 8} more warehouses</li> : null}
      </ul>
    </div>
  );
}
