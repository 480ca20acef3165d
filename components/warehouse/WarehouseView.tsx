'use client';
import Link from 'next/link';
import { AgingPanel } from '@/components/exceptions/AgingPanel';
import { LagChart } from '@/components/charts/LagChart';
import { apiUrl } from '@/components/data/fetcher';
import type { SummaryResponse, SyncLagSeriesResponse } from '@/components/data/types';
import { useApi } from '@/components/data/use-api';
import { KpiTiles } from '@/components/summary/KpiTiles';
import { TileSkeletons } from '@/components/summary/SummaryView';
import { useGlobalHref, useRange } from '@/components/shell/url-state';
import { DataState } from '@/components/ui/DataState';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader, Panel } from '@/components/ui/Panel';
import { ChartSkeleton } from '@/components/ui/Skeleton';
import { CloseSection, DriftSection, InvoiceSection, SyncSection } from './sections';

/** `/w/<warehouse>`: every KPI for one warehouse (each endpoint called with `warehouse=`). */
export function WarehouseView({ warehouse }: { warehouse: string }) {
  const range = useRange();
  const href = useGlobalHref();
  const only = [warehouse];
  const summary = useApi<SummaryResponse>(apiUrl('/api/v1/kpi/summary', { from: range.fromIso, to: range.toIso, warehouse: only }));
  const series = useApi<SyncLagSeriesResponse>(apiUrl('/api/v1/kpi/sync-lag/series', { from: range.fromIso, to: range.toIso, tz: range.tz, warehouse: only }));
  const ctx = { warehouse, fromIso: range.fromIso, toIso: range.toIso, tz: range.tz };

  return (
    <div className="space-y-4">
      <PageHeader
        title={`Warehouse ${warehouse}`}
        subtitle="Every KPI for this warehouse over the selected window."
        actions={
          <Link href={href('/exceptions', { warehouse: only })} className="rounded border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">
            Exceptions for {warehouse}
          </Link>
        }
      />
      <DataState {...summary} retry={() => void summary.mutate()} skeleton={<TileSkeletons />}>
        {(d) => <KpiTiles kpis={d.kpis} series={series.data} warehouse={warehouse} />}
      </DataState>
      <Panel title="Sync lag over time" id="w-lag">
        <DataState {...series} retry={() => void series.mutate()} skeleton={<ChartSkeleton />}>
          {(d) => {
            const pts = d.warehouses.find((w) => w.warehouse_id === warehouse)?.points ?? d.total;
            if (pts.every((p) => p.messages === 0)) return <EmptyState title="No sync messages in this window" />;
            return <LagChart label={`Sync lag p50, p95 and p99 over time for ${warehouse}`} points={pts} bucketSeconds={d.bucket_seconds} tz={range.tz} />;
          }}
        </DataState>
      </Panel>
      <SyncSection {...ctx} heat={summary.data?.heat} />
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2 *:min-w-0">
        <AgingPanel warehouse={only} />
        <CloseSection {...ctx} />
      </div>
      <InvoiceSection {...ctx} />
      <DriftSection {...ctx} />
    </div>
  );
}
