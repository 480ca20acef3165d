'use client';
import type { CloseResponse } from '@/components/data/types';
import { type Column, DataTable } from '@/components/ui/DataTable';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { formatMoney, formatNumber } from '@/lib/format/number';
import { reasonsOf } from './evidence';

type Row = CloseResponse['warehouses'][number];
const TONE = { blocked: 'bg-red-50 dark:bg-red-950/40', at_risk: 'bg-amber-50 dark:bg-amber-950/30', ready: undefined } as const;

/** Status per warehouse with the reasons behind it; "Details" opens the drill-down lists. */
export function CloseStatusTable({ rows, period, openWh, onOpen }: { rows: readonly Row[]; period: string; openWh: string | null; onOpen: (wh: string | null) => void }) {
  const cols: Column<Row>[] = [
    { key: 'warehouse_id', header: 'Warehouse', value: (r) => r.warehouse_id },
    { key: 'status', header: 'Status', value: (r) => r.status, cell: (r) => <StatusBadge status={r.status} /> },
    {
      key: 'reasons',
      header: 'Why',
      sortable: false,
      value: (r) => reasonsOf(r).join('; '),
      cell: (r) => {
        const reasons = reasonsOf(r);
        return reasons.length ? (
          <ul className="list-disc space-y-0.5 pl-4 text-xs">
            {reasons.map((x) => (
              <li key={x}>{x}</li>
            ))}
          </ul>
        ) : (
          <span className="text-xs text-slate-500">Nothing outstanding</span>
        );
      },
    },
    { key: 'unposted_count', header: 'Unposted', align: 'right', value: (r) => r.unposted_count, cell: (r) => formatNumber(r.unposted_count) },
    { key: 'unposted_amount', header: 'Unposted value', align: 'right', value: (r) => r.unposted_amount, cell: (r) => formatMoney(r.unposted_amount) },
    { key: 'critical', header: 'Crit. exc.', align: 'right', value: (r) => r.open_finance_exceptions.critical },
    { key: 'high', header: 'High exc.', align: 'right', value: (r) => r.open_finance_exceptions.high },
    { key: 'medium', header: 'Med. exc.', align: 'right', value: (r) => r.open_finance_exceptions.medium, csvOnly: true },
    { key: 'low', header: 'Low exc.', align: 'right', value: (r) => r.open_finance_exceptions.low, csvOnly: true },
    { key: 'drift_value', header: 'Drift value', align: 'right', value: (r) => r.drift_value, cell: (r) => formatMoney(r.drift_value) },
    {
      key: 'drill',
      header: 'Evidence',
      sortable: false,
      noCsv: true,
      value: () => null,
      cell: (r) => {
        const open = openWh === r.warehouse_id;
        return (
          <button
            type="button"
            aria-expanded={open}
            aria-controls="close-drill"
            aria-label={`${open ? 'Hide' : 'Show'} evidence for ${r.warehouse_id}`}
            onClick={() => onOpen(open ? null : r.warehouse_id)}
            className="rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
          >
            {open ? 'Hide' : 'Details'}
          </button>
        );
      },
    },
  ];
  return <DataTable caption={`Close readiness per warehouse for ${period}`} csvName={`close-status-${period}`} columns={cols} rows={rows} rowKey={(r) => r.warehouse_id} rowTone={(r) => TONE[r.status]} />;
}
