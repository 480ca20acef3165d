'use client';
import type { SyncLagSeriesResponse } from '@/components/data/types';
import { breachRuns } from '@/components/charts/series';
import { formatDuration } from '@/lib/format/duration';
import { formatDateTime } from '@/lib/format/time';

/** Names every window where a warehouse's p95 lag broke the SLO, so the outage is visible without reading charts. */
export function OutageBanner({ series, slo, tz }: { series: SyncLagSeriesResponse; slo: number; tz: string }) {
  const hits = series.warehouses
    .map((w) => ({ warehouse_id: w.warehouse_id, runs: breachRuns(w.points, slo, series.bucket_seconds) }))
    .filter((w) => w.runs.length > 0);
  if (hits.length === 0) {
    return (
      <p role="status" className="rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950/40 dark:text-emerald-200">
        Sync lag p95 stayed within the {formatDuration(slo)} SLO in every bucket.
      </p>
    );
  }
  return (
    <div role="status" data-testid="outage" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/40 dark:text-red-100">
      <p className="font-semibold">
        Sync lag p95 above the {formatDuration(slo)} SLO in {hits.length} warehouse{hits.length === 1 ? '' : 's'}
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
          </li>
        ))}
        {hits.length > 8 ? <li>+{hits.length - 8} more warehouses</li> : null}
      </ul>
    </div>
  );
}
