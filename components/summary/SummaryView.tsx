'use client';
import { LagChart } from '@/components/charts/LagChart';
import { apiUrl } from '@/components/data/fetcher';
import type { SummaryResponse, SyncLagSeriesResponse } from '@/components/data/types';
import { useApi } from '@/components/data/use-api';
import { useRange, useWarehouses } from '@/components/shell/url-state';
import { DataState } from '@/components/ui/DataState';
import { PageHeader, Panel } from '@/components/ui/Panel';
import { ChartSkeleton, Skeleton } from '@/components/ui/Skeleton';
import { useLagHints } from '@/components/sync/LagHints';
import { formatDateTime } from '@/lib/format/time';
import { HeatTable } from './HeatTable';
import { KpiTiles } from './KpiTiles';
import { WorstWarehouses } from './WorstWarehouses';

export function TileSkeletons() {
  return (
    <div role="status" aria-busy="true" aria-label="Loading KPIs" className="grid grid-cols-1 gap-3 sm:grid-cols-2 md:grid-cols-3 xl:grid-cols-4">
      {Array.from({ length: 7 }, (_, i) => (
        <div key={i} className="rounded-lg border border-slate-200 p-3 dark:border-slate-800">
          <Skeleton className="h-3 w-1/2" />
          <Skeleton className="mt-3 h-7 w-2/3" />
          <Skeleton className="mt-3 h-3 w-full" />
        </div>
      ))}
    </div>
  );
}

/** `/`: the executive summary. */
export function SummaryView() {
  const range = useRange();
  const warehouse = useWarehouses();
  const summary = useApi<SummaryResponse>(apiUrl('/api/v1/kpi/summary', { from: range.fromIso, to: range.toIso, warehouse }));
  const series = useApi<SyncLagSeriesResponse>(apiUrl('/api/v1/kpi/sync-lag/series', { from: range.fromIso, to: range.toIso, tz: range.tz, warehouse }));
  const hints = useLagHints({ from: range.fromIso, to: range.toIso, warehouse });

  return (
    <div className="space-y-4">
      <PageHeader
        title="Executive summary"
        subtitle={
          summary.data
            ? `${formatDateTime(summary.data.from, range.tz)} – ${formatDateTime(summary.data.to, range.tz)}, compared with the previous ${formatDateTime(summary.data.previous.from, range.tz)} – ${formatDateTime(summary.data.previous.to, range.tz)}`
            : 'Every KPI against its SLO, compared with the previous window'
        }
      />
      <DataState {...summary} retry={() => void summary.mutate()} skeleton={<TileSkeletons />}>
        {(d) => <KpiTiles kpis={d.kpis} series={series.data} />}
      </DataState>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-3 *:min-w-0">
        <Panel title="Worst warehouses" id="worst">
          <DataState {...summary} retry={() => void summary.mutate()}>
            {(d) => <WorstWarehouses rows={d.worst_warehouses} heat={d.heat} hints={hints.data} />}
          </DataState>
        </Panel>
        <Panel title="Sync lag, all selected warehouses" id="lag" className="lg:col-span-2">
          <DataState {...series} retry={() => void series.mutate()} skeleton={<ChartSkeleton height={220} />} isEmpty={(d) => d.total.every((p) => p.messages === 0)}>
            {(d) => <LagChart label="Sync lag p50, p95 and p99 over time, all selected warehouses" points={d.total} bucketSeconds={d.bucket_seconds} tz={range.tz} height={220} />}
          </DataState>
        </Panel>
      </div>
      <Panel title="Warehouse × KPI" id="heat">
        <DataState {...summary} retry={() => void summary.mutate()}>
          {(d) => <HeatTable heat={d.heat} />}
        </DataState>
      </Panel>
    </div>
  );
}
