'use client';
import Link from 'next/link';
import { useState } from 'react';
import type { DriftCauseSku, DriftCausesResponse, DriftResponse, DriftSku } from '@/components/data/types';
import { correlationHref, useGlobalHref } from '@/components/shell/url-state';
import { type Column, DataTable } from '@/components/ui/DataTable';
import { EmptyState } from '@/components/ui/EmptyState';
import { formatMoney, formatNumber, formatNumberChange, formatPercent } from '@/lib/format/number';
import { formatDateTime } from '@/lib/format/time';
import { causeKey, causesByKey, causeText } from './causes';

type Row = DriftResponse['warehouses'][number];

export function DriftTable({ rows }: { rows: readonly Row[] }) {
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
    { key: 'skus_compared', header: 'SKUs compared', align: 'right', value: (r) => r.skus_compared, cell: (r) => formatNumber(r.skus_compared) },
    { key: 'skus_mismatched', header: 'Mismatched', align: 'right', value: (r) => r.skus_mismatched, cell: (r) => formatNumber(r.skus_mismatched) },
    { key: 'mismatch_rate', header: 'Mismatch rate', align: 'right', value: (r) => r.mismatch_rate, cell: (r) => formatPercent(r.mismatch_rate) },
    { key: 'abs_drift_units', header: '|Drift| units', align: 'right', value: (r) => r.abs_drift_units, cell: (r) => formatNumber(r.abs_drift_units) },
    { key: 'net_drift_units', header: 'Net units', align: 'right', value: (r) => r.net_drift_units, cell: (r) => formatNumberChange(r.net_drift_units) },
    { key: 'drift_value', header: 'Drift value', align: 'right', value: (r) => r.drift_value, cell: (r) => formatMoney(r.drift_value) },
  ];
  return <DataTable caption="Inventory drift per warehouse" csvName="inventory-drift" columns={cols} rows={rows} rowKey={(r) => r.warehouse_id} />;
}

/** The unsynced movements behind one SKU's drift, each linked to its transaction. */
function CauseMovements({ cause, tz }: { cause: DriftCauseSku; tz: string }) {
  return (
    <table className="w-full text-xs" aria-label={`Unsynced movements of ${cause.sku} at ${cause.warehouse_id}`}>
      <thead>
        <tr className="text-left uppercase text-slate-500 dark:text-slate-400">
          <th scope="col" className="px-2 py-1 font-medium">Movement</th>
          <th scope="col" className="px-2 py-1 font-medium">Correlation</th>
          <th scope="col" className="px-2 py-1 font-medium">At</th>
          <th scope="col" className="px-2 py-1 text-right font-medium">Qty</th>
          <th scope="col" className="px-2 py-1 font-medium">Source</th>
          <th scope="col" className="px-2 py-1 font-medium">Message</th>
          <th scope="col" className="px-2 py-1 font-medium">Interface</th>
          <th scope="col" className="px-2 py-1 font-medium">Error</th>
        </tr>
      </thead>
      <tbody>
        {cause.movements.map((m) => (
          <tr key={m.event_id} className="align-top">
            <td className="px-2 py-1">{m.type}</td>
            <td className="px-2 py-1">
              <Link href={correlationHref(m.correlation_id)} className="break-all font-mono text-sky-700 hover:underline dark:text-sky-400">
                {m.correlation_id}
              </Link>
            </td>
            <td className="px-2 py-1">{formatDateTime(m.occurred_at, tz)}</td>
            <td className="px-2 py-1 text-right tabular-nums">{formatNumberChange(m.signed_quantity)}</td>
            <td className="px-2 py-1">{m.source_system}</td>
            <td className="px-2 py-1">
              <span className={m.message.status === 'dead_lettered' ? 'font-medium text-red-700 dark:text-red-400' : 'text-amber-700 dark:text-amber-400'}>
                {m.message.status === 'dead_lettered' ? 'dead-lettered' : 'failed'}
              </span>{' '}
              <span className="text-slate-500">{formatDateTime(m.message.observed_at, tz)}</span>
            </td>
            <td className="px-2 py-1 font-mono">{m.message.interface ?? '—'}</td>
            <td className="px-2 py-1 break-words">{m.message.error ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Mismatched SKUs, worst first by |drift| × unit cost (the API's order; re-sorted here to be safe). With
 * `causes` (metrics.md §9; null while it loads) a Cause column says what the unsynced movements explain,
 * and a SKU that has any expands to list them.
 */
export function DriftSkuTable({ items, tz, csvName = 'drift-skus', causes }: { items: readonly DriftSku[]; tz: string; csvName?: string; causes?: DriftCausesResponse | null }) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const byKey = causesByKey(causes ?? undefined);
  const causeOf = (r: DriftSku) => byKey.get(causeKey(r.warehouse_id, r.sku));
  const toggle = (key: string) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (!next.delete(key)) next.add(key);
      return next;
    });
  const causeCol: Column<DriftSku> = {
    key: 'cause',
    header: 'Cause',
    value: (r) => {
      const c = causeOf(r);
      return c ? causeText(c) : null;
    },
    cell: (r) => {
      const c = causeOf(r);
      if (!c) return causes ? '—' : <span className="text-slate-400">…</span>;
      const text = causeText(c);
      if (c.unsynced_movements === 0) return <span className="text-slate-500">{text}</span>;
      const key = causeKey(r.warehouse_id, r.sku);
      const isOpen = open.has(key);
      return (
        <button type="button" aria-expanded={isOpen} onClick={() => toggle(key)} className="text-left text-sky-700 hover:underline dark:text-sky-400" data-testid="drift-cause-toggle">
          <span aria-hidden="true">{isOpen ? '▾ ' : '▸ '}</span>
          {text}
        </button>
      );
    },
    sortable: false,
  };
  const cols: Column<DriftSku>[] = [
    { key: 'sku', header: 'SKU', value: (r) => r.sku, cell: (r) => <span className="font-mono text-xs">{r.sku}</span> },
    { key: 'warehouse_id', header: 'Warehouse', value: (r) => r.warehouse_id },
    { key: 'erp_quantity', header: 'ERP qty', align: 'right', value: (r) => r.erp_quantity, cell: (r) => formatNumber(r.erp_quantity) },
    { key: 'wms_quantity', header: 'WMS qty', align: 'right', value: (r) => r.wms_quantity, cell: (r) => formatNumber(r.wms_quantity) },
    {
      key: 'drift',
      header: 'Drift (WMS − ERP)',
      align: 'right',
      value: (r) => r.drift,
      cell: (r) => <span className={r.drift < 0 ? 'text-red-700 dark:text-red-400' : 'text-amber-700 dark:text-amber-400'}>{formatNumberChange(r.drift)}</span>,
    },
    { key: 'unit_cost', header: 'Unit cost', align: 'right', value: (r) => r.unit_cost, cell: (r) => formatMoney(r.unit_cost) },
    { key: 'drift_value', header: 'Value', align: 'right', value: (r) => r.drift_value, cell: (r) => formatMoney(r.drift_value) },
    ...(causes === undefined ? [] : [causeCol]),
    { key: 'erp_at', header: 'ERP as of', value: (r) => r.erp_at, cell: (r) => formatDateTime(r.erp_at, tz) },
    { key: 'wms_at', header: 'WMS as of', value: (r) => r.wms_at, cell: (r) => formatDateTime(r.wms_at, tz) },
  ];
  const sorted = [...items].sort((a, b) => b.drift_value - a.drift_value || Math.abs(b.drift) - Math.abs(a.drift));
  return (
    <DataTable
      caption="Mismatched SKUs, worst first"
      csvName={csvName}
      columns={cols}
      rows={sorted}
      rowKey={(r) => causeKey(r.warehouse_id, r.sku)}
      pageSize={50}
      empty={<EmptyState title="ERP and WMS agree on every SKU" />}
      detail={(r) => {
        const c = causeOf(r);
        return c && c.movements.length > 0 && open.has(causeKey(r.warehouse_id, r.sku)) ? <CauseMovements cause={c} tz={tz} /> : null;
      }}
    />
  );
}
