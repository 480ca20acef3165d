'use client';
import { apiUrl, LIST_LIMIT } from '@/components/data/fetcher';
import type { CloseResponse, UnpostedResponse } from '@/components/data/types';
import { useApi } from '@/components/data/use-api';
import { driftSentence } from '@/components/drift/causes';
import { useDriftCauses } from '@/components/drift/use-causes';
import { useLive } from '@/components/shell/live';
import { useQueryState, useRange, useWarehouses } from '@/components/shell/url-state';
import { CsvAction } from '@/components/ui/CsvButton';
import { DataState } from '@/components/ui/DataState';
import { PageHeader, Panel } from '@/components/ui/Panel';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { csvFileName } from '@/lib/format/csv';
import { formatMoney, formatNumber } from '@/lib/format/number';
import { formatDateTime, isPeriod, periodOf } from '@/lib/format/time';
import { Drilldown } from './Drilldown';
import { evidenceCsv, inPeriod } from './evidence';
import { CloseStatusTable } from './StatusTable';

function shift(period: string, months: number): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + months, 1)).toISOString().slice(0, 7);
}

/** `/close`: the finance home. Readiness per warehouse for a month, the evidence, and its CSV. */
export function CloseView() {
  const q = useQueryState();
  const { now } = useLive();
  const { tz } = useRange();
  const warehouse = useWarehouses();
  const p = q.get('period');
  const period = isPeriod(p) ? p : periodOf(now);
  const openWh = q.get('open');
  const close = useApi<CloseResponse>(apiUrl('/api/v1/kpi/close-readiness', { period, warehouse }));
  const unposted = useApi<UnpostedResponse>(apiUrl('/api/v1/kpi/invoice-latency/unposted', { limit: LIST_LIMIT, warehouse }));
  // Causes at the close's own as_of, so "of which $X is explained" speaks of the same drift value.
  const drift = useDriftCauses(close.data?.as_of ?? null, warehouse);
  const driftEvidence = drift.causes.data && drift.skus.data ? { causes: drift.causes.data, skus: drift.skus.data.items } : undefined;
  const driftPending = !driftEvidence && !drift.causes.error && !drift.skus.error;

  const picker = (
    <div className="flex items-center gap-1">
      <button type="button" aria-label="Previous month" onClick={() => q.set({ period: shift(period, -1), open: null })} className="rounded border border-slate-300 px-2 py-1 text-xs dark:border-slate-700">
        ‹
      </button>
      <input
        type="month"
        aria-label="Close period"
        value={period}
        onChange={(e) => isPeriod(e.target.value) && q.set({ period: e.target.value, open: null })}
        className="rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900"
      />
      <button type="button" aria-label="Next month" onClick={() => q.set({ period: shift(period, 1), open: null })} className="rounded border border-slate-300 px-2 py-1 text-xs dark:border-slate-700">
        ›
      </button>
    </div>
  );

  const exportButton = (
    <CsvAction
      label="Export evidence CSV"
      disabled={!close.data || !unposted.data || driftPending}
      build={() => ({ text: evidenceCsv(close.data!, unposted.data?.items ?? [], driftEvidence), fileName: csvFileName(`close-evidence-${period}`) })}
    />
  );

  // The unposted list is capped by the API and spans all periods; say so when the evidence is short.
  const listed = close.data ? inPeriod(unposted.data?.items ?? [], period).length : 0;
  const short = close.data && unposted.data && unposted.data.items.length >= LIST_LIMIT && listed < close.data.total.unposted_count;

  return (
    <div className="space-y-4">
      {short ? (
        <p role="status" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-100">
          The evidence lists {formatNumber(listed)} of {formatNumber(close.data?.total.unposted_count ?? 0)} unposted shipments: the API returns at most {formatNumber(LIST_LIMIT)} rows.
        </p>
      ) : null}
      <PageHeader
        title="Close readiness"
        subtitle={close.data ? `Period ${close.data.period}, as of ${formatDateTime(close.data.as_of, tz)}` : `Period ${period}`}
        actions={
          <>
            {picker}
            {exportButton}
          </>
        }
      />
      <DataState {...close} retry={() => void close.mutate()} skeleton={null}>
        {(d) => (
          <div className="flex flex-wrap items-center gap-4 rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm dark:border-slate-800 dark:bg-slate-900">
            <span className="flex items-center gap-2">
              Overall <StatusBadge status={d.total.status} />
            </span>
            <span>
              {formatNumber(d.warehouses.filter((w) => w.status === 'ready').length)} ready · {formatNumber(d.warehouses.filter((w) => w.status === 'at_risk').length)} at risk ·{' '}
              {formatNumber(d.warehouses.filter((w) => w.status === 'blocked').length)} blocked
            </span>
            <span>
              Unposted {formatNumber(d.total.unposted_count)} ({formatMoney(d.total.unposted_amount)}) · {driftSentence(d.total.drift_value, drift.summary)}
            </span>
          </div>
        )}
      </DataState>
      <Panel title="Status per warehouse" id="close-status">
        <DataState {...close} retry={() => void close.mutate()}>
          {(d) => <CloseStatusTable rows={d.warehouses} period={d.period} openWh={openWh} onOpen={(wh) => q.set({ open: wh }, { replace: true })} />}
        </DataState>
      </Panel>
      {openWh ? <Drilldown warehouse={openWh} period={period} tz={tz} unposted={unposted.data} /> : null}
    </div>
  );
}
