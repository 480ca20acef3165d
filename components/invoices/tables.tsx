'use client';
import Link from 'next/link';
import type { InvoiceLatencyResponse, UnpostedItem } from '@/components/data/types';
import { useConfig } from '@/components/data/use-config';
import { correlationHref, useGlobalHref } from '@/components/shell/url-state';
import { type Column, DataTable } from '@/components/ui/DataTable';
import { EmptyState } from '@/components/ui/EmptyState';
import { formatDuration } from '@/lib/format/duration';
import { formatMoney, formatNumber } from '@/lib/format/number';
import { formatDateTime } from '@/lib/format/time';

type Row = InvoiceLatencyResponse['warehouses'][number];

export function InvoiceTable({ rows }: { rows: readonly Row[] }) {
  const href = useGlobalHref();
  const cols: Column<Row>[] = [
    {
      key: 'warehouse_id',
      header: 'Warehouse',
      value: (r) => r.warehouse_id,
      cell: (r) => (
        <Link href={href(`/w/${encodeURIComponent(r.warehouse_id)}`)} className="text-sky-700 hover:underline dark:text-sky-400">
          {r.warehouse_id}
        </Link>
      ),
    },
    { key: 'invoices', header: 'Invoices', align: 'right', value: (r) => r.invoices, cell: (r) => formatNumber(r.invoices) },
    { key: 'p50', header: 'p50', align: 'right', value: (r) => r.latency_seconds.p50, cell: (r) => formatDuration(r.latency_seconds.p50) },
    { key: 'p95', header: 'p95', align: 'right', value: (r) => r.latency_seconds.p95, cell: (r) => formatDuration(r.latency_seconds.p95) },
    { key: 'max', header: 'Max', align: 'right', value: (r) => r.latency_seconds.max, cell: (r) => formatDuration(r.latency_seconds.max) },
    { key: 'negative', header: 'Invoice before ship', align: 'right', value: (r) => r.negative, cell: (r) => formatNumber(r.negative) },
    { key: 'unposted_count', header: 'Unposted', align: 'right', value: (r) => r.unposted.count, cell: (r) => formatNumber(r.unposted.count) },
    { key: 'unposted_amount', header: 'Unposted value', align: 'right', value: (r) => r.unposted.amount, cell: (r) => formatMoney(r.unposted.amount) },
  ];
  return <DataTable caption="Invoice posting latency per warehouse" csvName="invoice-latency" columns={cols} rows={rows} rowKey={(r) => r.warehouse_id} />;
}

/** Shipped, not invoiced: oldest first; rows past the configured posting SLO are red. */
export function UnpostedTable({ items, tz, csvName = 'shipped-not-invoiced' }: { items: readonly UnpostedItem[]; tz: string; csvName?: string }) {
  const postingSlo = useConfig()?.slo.posting_seconds;
  const cols: Column<UnpostedItem>[] = [
    {
      key: 'correlation_id',
      header: 'Correlation',
      value: (r) => r.correlation_id,
      cell: (r) => (
        <Link href={correlationHref(r.correlation_id)} className="break-all font-mono text-xs text-sky-700 hover:underline dark:text-sky-400">
          {r.correlation_id}
        </Link>
      ),
    },
    { key: 'warehouse_id', header: 'Warehouse', value: (r) => r.warehouse_id },
    { key: 'document_ref', header: 'Document', value: (r) => r.document_ref },
    { key: 'shipped_at', header: 'Shipped', value: (r) => r.shipped_at, cell: (r) => formatDateTime(r.shipped_at, tz) },
    { key: 'age_seconds', header: 'Age', align: 'right', value: (r) => r.age_seconds, cell: (r) => formatDuration(r.age_seconds) },
    { key: 'amount', header: 'Amount', align: 'right', value: (r) => r.amount, cell: (r) => formatMoney(r.amount, r.currency ?? 'USD') },
    { key: 'currency', header: 'Currency', value: (r) => r.currency ?? 'USD', csvOnly: true },
  ];
  const sorted = [...items].sort((a, b) => b.age_seconds - a.age_seconds);
  return (
    <DataTable
      caption="Shipped, not invoiced"
      csvName={csvName}
      columns={cols}
      rows={sorted}
      rowKey={(r) => r.correlation_id}
      rowTone={(r) => (postingSlo !== undefined && r.age_seconds > postingSlo ? 'bg-red-50 dark:bg-red-950/40' : undefined)}
      pageSize={50}
      empty={<EmptyState title="Every shipment is invoiced" />}
    />
  );
}
