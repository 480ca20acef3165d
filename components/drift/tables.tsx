'use client';
import Link from 'next/link';
import type { DriftResponse, DriftSku } from '@/components/data/types';
import { useGlobalHref } from '@/components/shell/url-state';
import { type Column, DataTable } from '@/components/ui/DataTable';
import { EmptyState } from '@/components/ui/EmptyState';
import { formatMoney, formatNumber, formatNumberChange, formatPercent } from '@/lib/format/number';
import { formatDateTime } from '@/lib/format/time';

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

/** Mismatched SKUs, worst first by |drift| × unit cost (the API's order; re-sorted here to be safe). */
export function DriftSkuTable({ items, tz, csvName = 'drift-skus' }: { items: readonly DriftSku[]; tz: string; csvName?: string }) {
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
      rowKey={(r) => `${r.warehouse_id}\u0000${r.sku}`}
      pageSize={50}
      empty={<EmptyState title="ERP and WMS agree on every SKU" />}
    />
  );
}
