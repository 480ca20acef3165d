'use client';
import Link from 'next/link';
import type { BreakdownRoute, SyncLagBreakdownResponse, SyncLagResponse } from '@/components/data/types';
import { useConfig } from '@/components/data/use-config';
import { useGlobalHref } from '@/components/shell/url-state';
import { type Column, DataTable } from '@/components/ui/DataTable';
import { formatDuration } from '@/lib/format/duration';
import { formatNumber, formatPercent } from '@/lib/format/number';

const BREACH_ROW = 'bg-red-50 dark:bg-red-950/40';

/** Rows whose p95 is over the configured sync-lag SLO are red (none until the configuration arrives). */
function useBreachTone(): (p95: number | null) => string | undefined {
  const slo = useConfig()?.slo.sync_lag_seconds;
  return (p95) => (slo !== undefined && (p95 ?? 0) > slo ? BREACH_ROW : undefined);
}

type WhRow = SyncLagResponse['warehouses'][number];

export function SyncWarehouseTable({ rows }: { rows: readonly WhRow[] }) {
  const href = useGlobalHref();
  const tone = useBreachTone();
  const cols: Column<WhRow>[] = [
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
    { key: 'messages', header: 'Messages', align: 'right', value: (r) => r.messages, cell: (r) => formatNumber(r.messages) },
    { key: 'delivered', header: 'Delivered', align: 'right', value: (r) => r.delivered, cell: (r) => formatNumber(r.delivered) },
    { key: 'failed', header: 'Failed', align: 'right', value: (r) => r.failed, cell: (r) => formatNumber(r.failed) },
    { key: 'retried', header: 'Retried', align: 'right', value: (r) => r.retried, cell: (r) => formatNumber(r.retried) },
    { key: 'dead_lettered', header: 'Dead-lettered', align: 'right', value: (r) => r.dead_lettered, cell: (r) => formatNumber(r.dead_lettered) },
    { key: 'failure_rate', header: 'Failure rate', align: 'right', value: (r) => r.failure_rate, cell: (r) => formatPercent(r.failure_rate) },
    { key: 'slo_breach_rate', header: 'Over SLO', align: 'right', value: (r) => r.slo_breach_rate, cell: (r) => formatPercent(r.slo_breach_rate) },
    { key: 'p50', header: 'p50', align: 'right', value: (r) => r.lag_seconds.p50, cell: (r) => formatDuration(r.lag_seconds.p50) },
    { key: 'p95', header: 'p95', align: 'right', value: (r) => r.lag_seconds.p95, cell: (r) => formatDuration(r.lag_seconds.p95) },
    { key: 'p99', header: 'p99', align: 'right', value: (r) => r.lag_seconds.p99, cell: (r) => formatDuration(r.lag_seconds.p99) },
    { key: 'max', header: 'Max', align: 'right', value: (r) => r.lag_seconds.max, cell: (r) => formatDuration(r.lag_seconds.max) },
  ];
  return (
    <DataTable
      caption="Sync lag per warehouse"
      csvName="sync-lag-per-warehouse"
      columns={cols}
      rows={rows}
      rowKey={(r) => r.warehouse_id}
      rowTone={(r) => tone(r.lag_seconds.p95)}
    />
  );
}

type IfaceRow = SyncLagBreakdownResponse['interfaces'][number];

function routeColumns<T extends BreakdownRoute>(): Column<T>[] {
  return [
    { key: 'messages', header: 'Messages', align: 'right', value: (r) => r.messages, cell: (r) => formatNumber(r.messages) },
    { key: 'failed', header: 'Failed', align: 'right', value: (r) => r.failed, cell: (r) => formatNumber(r.failed) },
    { key: 'dead_lettered', header: 'Dead-lettered', align: 'right', value: (r) => r.dead_lettered, cell: (r) => formatNumber(r.dead_lettered) },
    { key: 'failure_rate', header: 'Failure rate', align: 'right', value: (r) => r.failure_rate, cell: (r) => formatPercent(r.failure_rate) },
    { key: 'p95', header: 'p95', align: 'right', value: (r) => r.p95, cell: (r) => formatDuration(r.p95) },
    { key: 'max', header: 'Max', align: 'right', value: (r) => r.max, cell: (r) => formatDuration(r.max) },
  ];
}

export function RouteTable({ rows }: { rows: readonly BreakdownRoute[] }) {
  const tone = useBreachTone();
  const cols: Column<BreakdownRoute>[] = [
    { key: 'route', header: 'Source → target', value: (r) => `${r.source_system} → ${r.target_system || '—'}` },
    { key: 'source_system', header: 'Source', value: (r) => r.source_system, csvOnly: true },
    { key: 'target_system', header: 'Target', value: (r) => r.target_system, csvOnly: true },
    ...routeColumns<BreakdownRoute>(),
  ];
  return (
    <DataTable caption="Sync lag by source and target system" csvName="sync-lag-by-route" columns={cols} rows={rows} rowKey={(r) => `${r.source_system}\u0000${r.target_system}`} rowTone={(r) => tone(r.p95)} />
  );
}

export function InterfaceTable({ rows }: { rows: readonly IfaceRow[] }) {
  const tone = useBreachTone();
  const cols: Column<IfaceRow>[] = [
    { key: 'interface', header: 'Interface', value: (r) => r.interface ?? '(none)' },
    { key: 'route', header: 'Source → target', value: (r) => `${r.source_system} → ${r.target_system || '—'}` },
    ...routeColumns<IfaceRow>(),
  ];
  return (
    <DataTable
      caption="Sync lag by interface"
      csvName="sync-lag-by-interface"
      columns={cols}
      rows={rows}
      rowKey={(r) => `${r.source_system}\u0000${r.target_system}\u0000${r.interface ?? ''}`}
      rowTone={(r) => tone(r.p95)}
      pageSize={25}
    />
  );
}
