'use client';
import Link from 'next/link';
import type { Status, SummaryKey, SummaryResponse } from '@/components/data/types';
import { useGlobalHref } from '@/components/shell/url-state';
import { type Column, DataTable } from '@/components/ui/DataTable';
import { EmptyState } from '@/components/ui/EmptyState';
import { formatKpiValue, KPI_META, KPI_ORDER } from './kpi-meta';

type HeatRow = NonNullable<SummaryResponse['heat']>[number];

const CELL: Record<Status, string> = {
  ok: 'bg-emerald-50 text-emerald-900 dark:bg-emerald-950/50 dark:text-emerald-200',
  warn: 'bg-amber-100 text-amber-900 dark:bg-amber-900/50 dark:text-amber-100',
  breach: 'bg-red-200 text-red-900 dark:bg-red-900/70 dark:text-red-50',
};
const STATUS_WORD: Record<Status, string> = { ok: 'ok', warn: 'warning', breach: 'breach' };

function raw(v: number | string | null | undefined): number | string | null {
  return v === undefined ? null : v;
}

/** Warehouse × KPI: the colour says where to look, the value says how bad. */
export function HeatTable({ heat }: { heat: SummaryResponse['heat'] }) {
  const href = useGlobalHref();
  if (!heat) return <EmptyState title="Per-warehouse heat map not available from the API" />;
  const cols: Column<HeatRow>[] = [
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
  ];
  for (const key of KPI_ORDER) {
    const meta = KPI_META[key];
    const get = (r: HeatRow) => r.kpis[key as SummaryKey];
    cols.push({
      key,
      header: meta.short,
      align: 'right',
      value: (r) => raw(get(r)?.value),
      cell: (r) => {
        const c = get(r);
        if (!c) return <span className="text-slate-400">—</span>;
        return (
          <span className={`block rounded px-2 py-1 tabular-nums ${CELL[c.status]}`} title={`${meta.label}: ${STATUS_WORD[c.status]}`}>
            {formatKpiValue(meta.kind, c.value, { compact: true })}
            <span className="sr-only"> ({STATUS_WORD[c.status]})</span>
          </span>
        );
      },
    });
    cols.push({ key: `${key}_status`, header: `${meta.short} status`, value: (r) => get(r)?.status ?? null, csvOnly: true });
  }
  return (
    <DataTable
      caption="Warehouse by KPI status"
      csvName="kpi-heat"
      columns={cols}
      rows={heat}
      rowKey={(r) => r.warehouse_id}
      empty={<EmptyState title="No warehouses in scope" />}
    />
  );
}
