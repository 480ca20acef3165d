'use client';
import { FailureBars } from '@/components/charts/FailureBars';
import { LagChart } from '@/components/charts/LagChart';
import { apiUrl } from '@/components/data/fetcher';
import type { SyncLagBreakdownResponse, SyncLagResponse, SyncLagSeriesResponse } from '@/components/data/types';
import { useApi } from '@/components/data/use-api';
import { useConfig } from '@/components/data/use-config';
import { useQueryState, useRange, useWarehouses } from '@/components/shell/url-state';
import { DataState } from '@/components/ui/DataState';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader, Panel } from '@/components/ui/Panel';
import { ChartSkeleton } from '@/components/ui/Skeleton';
import { formatDuration } from '@/lib/format/duration';
import { useLagHints } from './LagHints';
import { OutageBanner } from './OutageBanner';
import { InterfaceTable, RouteTable, SyncWarehouseTable } from './tables';

/** `/sync`: lag over time, failures, per-warehouse table and route/interface breakdowns. */
export function SyncView() {
  const range = useRange();
  const warehouse = useWarehouses();
  const q = useQueryState();
  const chartWh = q.get('lag_wh') ?? '';
  const win = { from: range.fromIso, to: range.toIso, warehouse };
  const series = useApi<SyncLagSeriesResponse>(apiUrl('/api/v1/kpi/sync-lag/series', { ...win, tz: range.tz }));
  const lag = useApi<SyncLagResponse>(apiUrl('/api/v1/kpi/sync-lag', win));
  const breakdown = useApi<SyncLagBreakdownResponse>(apiUrl('/api/v1/kpi/sync-lag/breakdown', win));
  const hints = useLagHints(win);
  const config = useConfig();
  const slo = config?.slo.sync_lag_seconds;
  const failureBreach = config?.summary.failure_rate.breach;
  const failing = failureBreach === undefined ? [] : (lag.data?.warehouses ?? []).filter((w) => w.messages > 0 && w.failure_rate >= failureBreach);

  const pointsOf = (d: SyncLagSeriesResponse) => (chartWh ? (d.warehouses.find((w) => w.warehouse_id === chartWh)?.points ?? []) : d.total);
  const whLabel = chartWh || 'all selected warehouses';

  const selector = (
    <label className="flex items-center gap-1 text-xs">
      <span>Warehouse</span>
      <select
        aria-label="Warehouse shown in the lag charts"
        value={chartWh}
        onChange={(e) => q.set({ lag_wh: e.target.value || null }, { replace: true })}
        className="rounded border border-slate-300 bg-white px-1 py-1 dark:border-slate-700 dark:bg-slate-900"
      >
        <option value="">All selected (total)</option>
        {(series.data?.warehouses ?? []).map((w) => (
          <option key={w.warehouse_id} value={w.warehouse_id}>
            {w.warehouse_id}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <div className="space-y-4">
      <PageHeader
        title="Sync health"
        subtitle={
          <>
            Message lag (observed − occurred) against the <span data-testid="sync-slo">{slo === undefined ? '…' : formatDuration(slo)}</span> SLO; red bands are
            buckets whose p95 broke it.
          </>
        }
      />
      <DataState {...series} retry={() => void series.mutate()} skeleton={null}>
        {(d) => (slo === undefined ? null : <OutageBanner series={d} slo={slo} tz={range.tz} hints={hints.data} failing={failing} failureBreach={failureBreach} />)}
      </DataState>
      <Panel title={`Lag p50 / p95 / p99 — ${whLabel}`} id="lag-chart" actions={selector}>
        <DataState {...series} retry={() => void series.mutate()} skeleton={<ChartSkeleton height={280} />}>
          {(d) => {
            const pts = pointsOf(d);
            if (pts.every((p) => p.messages === 0)) return <EmptyState title="No sync messages in this window" />;
            return <LagChart label={`Sync lag p50, p95 and p99 over time, ${whLabel}`} points={pts} bucketSeconds={d.bucket_seconds} tz={range.tz} />;
          }}
        </DataState>
      </Panel>
      <Panel title={`Failures and dead letters — ${whLabel}`} id="failures">
        <DataState {...series} retry={() => void series.mutate()} skeleton={<ChartSkeleton height={200} />}>
          {(d) => {
            const pts = pointsOf(d);
            if (pts.every((p) => p.messages === 0)) return <EmptyState title="No sync messages in this window" />;
            return <FailureBars label={`Failed, dead-lettered and retried messages per bucket, ${whLabel}`} points={pts} tz={range.tz} />;
          }}
        </DataState>
      </Panel>
      <Panel title="Per warehouse" id="per-warehouse">
        <DataState {...lag} retry={() => void lag.mutate()}>
          {(d) => <SyncWarehouseTable rows={d.warehouses} />}
        </DataState>
      </Panel>
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2 *:min-w-0">
        <Panel title="By source → target" id="routes">
          <DataState {...breakdown} retry={() => void breakdown.mutate()}>
            {(d) => <RouteTable rows={d.routes} />}
          </DataState>
        </Panel>
        <Panel title="By interface" id="interfaces">
          <DataState {...breakdown} retry={() => void breakdown.mutate()}>
            {(d) => <InterfaceTable rows={d.interfaces} />}
          </DataState>
        </Panel>
      </div>
    </div>
  );
}
