'use client';
import Link from 'next/link';
import { DriftSkuTable } from '@/components/drift/tables';
import { useDriftCauses } from '@/components/drift/use-causes';
import { UnpostedTable } from '@/components/invoices/tables';
import { apiUrl, LIST_LIMIT } from '@/components/data/fetcher';
import type { ExceptionItem, ExceptionList, UnpostedResponse } from '@/components/data/types';
import { useApi } from '@/components/data/use-api';
import { correlationHref, useGlobalHref } from '@/components/shell/url-state';
import { type Column, DataTable } from '@/components/ui/DataTable';
import { DataState } from '@/components/ui/DataState';
import { EmptyState } from '@/components/ui/EmptyState';
import { Panel } from '@/components/ui/Panel';
import { SeverityBadge } from '@/components/ui/StatusBadge';
import { formatDuration } from '@/lib/format/duration';
import { financeExceptions, inPeriod } from './evidence';

const excCols: Column<ExceptionItem>[] = [
  { key: 'exception_id', header: 'Exception', value: (r) => r.exception_id, cell: (r) => <span className="font-mono text-xs">{r.exception_id}</span> },
  { key: 'severity', header: 'Severity', value: (r) => r.severity, cell: (r) => <SeverityBadge severity={r.severity} /> },
  { key: 'workflow', header: 'Workflow', value: (r) => r.workflow },
  { key: 'category', header: 'Category', value: (r) => r.category },
  { key: 'owner', header: 'Owner', value: (r) => r.owner },
  { key: 'age_seconds', header: 'Age', align: 'right', value: (r) => r.age_seconds, cell: (r) => formatDuration(r.age_seconds) },
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
];

/** The evidence behind one warehouse's status: its unposted shipments, drifting SKUs and finance exceptions. */
export function Drilldown({ warehouse, period, tz, unposted }: { warehouse: string; period: string; tz: string; unposted: UnpostedResponse | undefined }) {
  const href = useGlobalHref();
  const { skus, causes } = useDriftCauses(undefined, [warehouse]);
  const exc = useApi<ExceptionList>(apiUrl('/api/v1/exceptions', { status: 'open', warehouse: [warehouse] }));
  const items = unposted ? inPeriod(unposted.items, period).filter((i) => i.warehouse_id === warehouse) : undefined;

  return (
    <div id="close-drill" className="space-y-4">
      <h2 className="text-lg font-semibold">
        Evidence for {warehouse}, {period}
      </h2>
      <Panel title="Unposted shipments in the period" id="drill-unposted">
        {items ? <UnpostedTable items={items} tz={tz} csvName={`unposted-${warehouse}-${period}`} /> : <EmptyState title="Loading unposted shipments…" />}
      </Panel>
      <Panel
        title="Open finance exceptions"
        id="drill-exceptions"
        actions={
          <Link href={href('/exceptions', { warehouse: [warehouse], status: 'open' })} className="text-xs text-sky-700 hover:underline dark:text-sky-400">
            Open in triage queue
          </Link>
        }
      >
        <DataState {...exc} retry={() => void exc.mutate()}>
          {(d) => (
            <>
              <DataTable
                caption={`Open finance exceptions for ${warehouse}`}
                csvName={`finance-exceptions-${warehouse}-${period}`}
                columns={excCols}
                rows={financeExceptions(d.items, period)}
                rowKey={(r) => r.exception_id}
                empty={<EmptyState title="No open finance exceptions" />}
              />
              {d.next_cursor ? <p className="mt-2 text-xs text-slate-500">First page only; the triage queue lists them all.</p> : null}
            </>
          )}
        </DataState>
      </Panel>
      <Panel title="Drifting SKUs" id="drill-drift">
        <DataState {...skus} retry={() => void skus.mutate()}>
          {(d) => <DriftSkuTable items={d.items} tz={tz} csvName={`drift-skus-${warehouse}`} causes={causes.error ? undefined : (causes.data ?? null)} />}
        </DataState>
      </Panel>
    </div>
  );
}
