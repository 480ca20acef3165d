'use client';
import Link from 'next/link';
import type { SummaryResponse, SyncLagHintsResponse } from '@/components/data/types';
import { useGlobalHref } from '@/components/shell/url-state';
import { hintsFor, LagHints, syncOffTarget } from '@/components/sync/LagHints';
import { EmptyState } from '@/components/ui/EmptyState';

/** The three worst warehouses; where sync lag or failures are off target, the lag hints say where to look. */
export function WorstWarehouses({ rows, heat, hints }: { rows: SummaryResponse['worst_warehouses']; heat: SummaryResponse['heat']; hints?: SyncLagHintsResponse }) {
  const href = useGlobalHref();
  const bad = rows.filter((r) => r.breaches > 0 || r.warns > 0);
  if (bad.length === 0) return <EmptyState title="Every warehouse is within its SLOs" />;
  return (
    <ol className="space-y-2">
      {bad.slice(0, 3).map((r, i) => (
        <li key={r.warehouse_id}>
          <Link
            href={href(`/w/${encodeURIComponent(r.warehouse_id)}`)}
            className="flex items-center justify-between gap-3 rounded-md border border-slate-200 px-3 py-2 hover:bg-slate-50 dark:border-slate-800 dark:hover:bg-slate-800"
          >
            <span className="flex items-center gap-2">
              <span className="text-xs text-slate-400">#{i + 1}</span>
              <span className="font-medium">{r.warehouse_id}</span>
            </span>
            <span className="flex gap-3 text-xs tabular-nums">
              <span className="text-red-700 dark:text-red-400">{r.breaches} breach{r.breaches === 1 ? '' : 'es'}</span>
              <span className="text-amber-700 dark:text-amber-400">{r.warns} warning{r.warns === 1 ? '' : 's'}</span>
            </span>
          </Link>
          {syncOffTarget(heat, r.warehouse_id) ? <LagHints hints={hintsFor(hints, r.warehouse_id)} warehouse={r.warehouse_id} className="mt-1 px-3 text-slate-600 dark:text-slate-300" /> : null}
        </li>
      ))}
    </ol>
  );
}
