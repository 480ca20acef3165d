'use client';
import { Bars } from '@/components/charts/Bars';
import { COLORS } from '@/components/charts/frame';
import { apiUrl, LIST_LIMIT } from '@/components/data/fetcher';
import { AGE_BUCKET_LABELS, AGE_BUCKETS } from '@/components/data/age-buckets';
import type { InvoiceLatencyResponse, UnpostedResponse } from '@/components/data/types';
import { useApi } from '@/components/data/use-api';
import { useConfig } from '@/components/data/use-config';
import { useRange, useWarehouses } from '@/components/shell/url-state';
import { DataState } from '@/components/ui/DataState';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader, Panel } from '@/components/ui/Panel';
import { ChartSkeleton } from '@/components/ui/Skeleton';
import { formatDuration, formatDurationTick } from '@/lib/format/duration';
import { formatMoney, formatNumber } from '@/lib/format/number';
import { formatDateTime } from '@/lib/format/time';
import { InvoiceTable, UnpostedTable } from './tables';

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900">
      <p className="text-xs uppercase text-slate-500 dark:text-slate-400">{label}</p>
      <p className="text-xl font-semibold tabular-nums">{value}</p>
    </div>
  );
}

/** `/invoices`: shipment → invoice latency per warehouse, and shipped-not-invoiced with age and value. */
export function InvoicesView() {
  const range = useRange();
  const warehouse = useWarehouses();
  const latency = useApi<InvoiceLatencyResponse>(apiUrl('/api/v1/kpi/invoice-latency', { from: range.fromIso, to: range.toIso, as_of: range.toIso, warehouse }));
  const unposted = useApi<UnpostedResponse>(apiUrl('/api/v1/kpi/invoice-latency/unposted', { limit: LIST_LIMIT, as_of: range.toIso, warehouse }));
  const postingSlo = useConfig()?.slo.posting_seconds;

  return (
    <div className="space-y-4">
      <PageHeader title="Invoices" subtitle={`Invoices posted in the window, measured from the shipment; unposted as of ${formatDateTime(range.to, range.tz)}.`} />
      <DataState {...latency} retry={() => void latency.mutate()} skeleton={<ChartSkeleton height={60} />}>
        {(d) => (
          <div className="grid grid-cols-2 gap-3 md:grid-cols-5">
            <Stat label="Invoices" value={formatNumber(d.total.invoices)} />
            <Stat label="Latency p50" value={formatDuration(d.total.latency_seconds.p50)} />
            <Stat label="Latency p95" value={formatDuration(d.total.latency_seconds.p95)} />
            <Stat label="Unposted" value={formatNumber(d.total.unposted.count)} />
            <Stat label="Unposted value" value={formatMoney(d.total.unposted.amount)} />
          </div>
        )}
      </DataState>
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-3 *:min-w-0">
        <Panel title="Posting latency per warehouse" id="latency-chart" className="xl:col-span-2">
          <DataState {...latency} retry={() => void latency.mutate()} skeleton={<ChartSkeleton />} isEmpty={(d) => d.total.invoices === 0} empty={<EmptyState title="No invoices posted in this window" />}>
            {(d) => (
              <Bars
                label="Invoice posting latency p50, p95 and max per warehouse"
                data={d.warehouses.map((w) => ({ warehouse: w.warehouse_id, p50: w.latency_seconds.p50, p95: w.latency_seconds.p95, max: w.latency_seconds.max }))}
                category="warehouse"
                series={[
                  { key: 'p50', label: 'p50', color: COLORS.p50 },
                  { key: 'p95', label: 'p95', color: COLORS.p95 },
                  { key: 'max', label: 'max', color: COLORS.p99 },
                ]}
                format={formatDuration}
                tick={formatDurationTick}
                height={260}
              />
            )}
          </DataState>
        </Panel>
        <Panel title="Unposted by age" id="unposted-age">
          <DataState {...latency} retry={() => void latency.mutate()} skeleton={<ChartSkeleton />}>
            {(d) => (
              <Bars
                label="Unposted shipments per age bucket"
                data={AGE_BUCKETS.map((b) => ({ bucket: AGE_BUCKET_LABELS[b], count: d.total.unposted.buckets[b] }))}
                category="bucket"
                series={[{ key: 'count', label: 'Unposted shipments', color: COLORS.failed }]}
                format={formatNumber}
                height={260}
              />
            )}
          </DataState>
        </Panel>
      </div>
      <Panel title="Per warehouse" id="invoice-table">
        <DataState {...latency} retry={() => void latency.mutate()}>
          {(d) => <InvoiceTable rows={d.warehouses} />}
        </DataState>
      </Panel>
      <Panel title="Shipped, not invoiced" id="unposted">
        <p className="mb-2 text-xs text-slate-500 dark:text-slate-400">
          Red rows are older than the <span data-testid="posting-slo">{postingSlo === undefined ? '…' : formatDuration(postingSlo)}</span> posting SLO.
        </p>
        <DataState {...unposted} retry={() => void unposted.mutate()}>
          {(d) => <UnpostedTable items={d.items} tz={range.tz} />}
        </DataState>
      </Panel>
    </div>
  );
}
