'use client';
import { apiUrl, LIST_LIMIT } from '@/components/data/fetcher';
import type { CloseResponse, DriftResponse, DriftSkusResponse, InvoiceLatencyResponse, SummaryResponse, SyncLagResponse, UnpostedResponse } from '@/components/data/types';
import { useApi } from '@/components/data/use-api';
import { reasonsOf } from '@/components/close/evidence';
import { driftSentence } from '@/components/drift/causes';
import { DriftSkuTable, DriftTable } from '@/components/drift/tables';
import { useDriftCauses } from '@/components/drift/use-causes';
import { InvoiceTable, UnpostedTable } from '@/components/invoices/tables';
import { hintsFor, LagHints, syncOffTarget, useLagHints } from '@/components/sync/LagHints';
import { SyncWarehouseTable } from '@/components/sync/tables';
import { DataState } from '@/components/ui/DataState';
import { Panel } from '@/components/ui/Panel';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { formatMoney, formatNumber } from '@/lib/format/number';
import { formatDateTime } from '@/lib/format/time';

interface Ctx {
  warehouse: string;
  fromIso: string;
  toIso: string;
  tz: string;
}

/** The warehouse's sync figures; when its lag or failure rate is off target (summary heat), the lag hints under them. */
export function SyncSection({ warehouse, fromIso, toIso, heat }: Ctx & { heat?: SummaryResponse['heat'] }) {
  const lag = useApi<SyncLagResponse>(apiUrl('/api/v1/kpi/sync-lag', { from: fromIso, to: toIso, warehouse: [warehouse] }));
  const hints = useLagHints({ from: fromIso, to: toIso, warehouse: [warehouse] });
  const shown = heat !== undefined && syncOffTarget(heat, warehouse) ? hintsFor(hints.data, warehouse) : [];
  return (
    <Panel title="Sync lag" id="w-sync">
      <DataState {...lag} retry={() => void lag.mutate()}>
        {(d) => <SyncWarehouseTable rows={d.warehouses} />}
      </DataState>
      {shown.length > 0 ? (
        <div className="mt-3">
          <h3 className="text-xs font-semibold uppercase text-slate-500">Likely causes</h3>
          <LagHints hints={shown} warehouse={warehouse} className="mt-1" />
        </div>
      ) : null}
    </Panel>
  );
}

export function InvoiceSection({ warehouse, fromIso, toIso, tz }: Ctx) {
  const inv = useApi<InvoiceLatencyResponse>(apiUrl('/api/v1/kpi/invoice-latency', { from: fromIso, to: toIso, as_of: toIso, warehouse: [warehouse] }));
  const unposted = useApi<UnpostedResponse>(apiUrl('/api/v1/kpi/invoice-latency/unposted', { limit: LIST_LIMIT, as_of: toIso, warehouse: [warehouse] }));
  return (
    <Panel title="Invoices" id="w-invoices">
      <div className="space-y-4">
        <DataState {...inv} retry={() => void inv.mutate()}>
          {(d) => <InvoiceTable rows={d.warehouses} />}
        </DataState>
        <h3 className="text-xs font-semibold uppercase text-slate-500">Shipped, not invoiced</h3>
        <DataState {...unposted} retry={() => void unposted.mutate()}>
          {(d) => <UnpostedTable items={d.items} tz={tz} csvName={`unposted-${warehouse}`} />}
        </DataState>
      </div>
    </Panel>
  );
}

export function DriftSection({ warehouse, toIso, tz }: Ctx) {
  const drift = useApi<DriftResponse>(apiUrl('/api/v1/kpi/drift', { as_of: toIso, warehouse: [warehouse] }));
  const { skus, causes, summary } = useDriftCauses(toIso, [warehouse]);
  const value = drift.data?.total.drift_value ?? 0;
  return (
    <Panel title="Inventory drift" id="w-drift">
      <div className="space-y-4">
        <DataState {...drift} retry={() => void drift.mutate()}>
          {(d) => <DriftTable rows={d.warehouses} />}
        </DataState>
        {summary && value > 0 ? <p className="text-sm" data-testid="w-drift-explained">{`Inventory ${driftSentence(value, summary)}.`}</p> : null}
        <h3 className="text-xs font-semibold uppercase text-slate-500">Mismatched SKUs</h3>
        <DataState {...skus} retry={() => void skus.mutate()}>
          {(d) => <DriftSkuTable items={d.items} tz={tz} csvName={`drift-skus-${warehouse}`} causes={causes.error ? undefined : (causes.data ?? null)} />}
        </DataState>
      </div>
    </Panel>
  );
}

export function CloseSection({ warehouse, tz }: Ctx) {
  const close = useApi<CloseResponse>(apiUrl('/api/v1/kpi/close-readiness', { warehouse: [warehouse] }));
  const { summary } = useDriftCauses(close.data?.as_of ?? null, [warehouse]);
  return (
    <Panel title="Close readiness (this month)" id="w-close">
      <DataState {...close} retry={() => void close.mutate()}>
        {(d) => {
          const row = d.warehouses.find((w) => w.warehouse_id === warehouse) ?? d.total;
          const reasons = reasonsOf(row);
          return (
            <div className="space-y-2 text-sm">
              <p className="flex items-center gap-2">
                <StatusBadge status={row.status} />
                <span className="text-slate-500">
                  {d.period}, as of {formatDateTime(d.as_of, tz)}
                </span>
              </p>
              {reasons.length ? (
                <ul className="list-disc pl-5 text-xs">
                  {reasons.map((r) => (
                    <li key={r}>{r}</li>
                  ))}
                </ul>
              ) : (
                <p className="text-xs text-slate-500">Nothing outstanding.</p>
              )}
              <p className="text-xs text-slate-600 dark:text-slate-300">
                Unposted {formatNumber(row.unposted_count)} ({formatMoney(row.unposted_amount)}) · {driftSentence(row.drift_value, summary)} · open finance exceptions{' '}
                {formatNumber(row.open_finance_exceptions.critical)} critical / {formatNumber(row.open_finance_exceptions.high)} high
              </p>
            </div>
          );
        }}
      </DataState>
    </Panel>
  );
}
