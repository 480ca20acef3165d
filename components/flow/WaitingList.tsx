'use client';
import Link from 'next/link';
import { useState } from 'react';
import useSWRInfinite from 'swr/infinite';
import { apiUrl, fetchJson, type ApiError } from '@/components/data/fetcher';
import type { FlowWaitingItem, FlowWaitingResponse } from '@/components/data/types';
import { correlationHref } from '@/components/shell/url-state';
import { type Column, DataTable } from '@/components/ui/DataTable';
import { EmptyState } from '@/components/ui/EmptyState';
import { ErrorState } from '@/components/ui/ErrorState';
import { SkeletonBlock } from '@/components/ui/Skeleton';
import { formatDuration } from '@/lib/format/duration';
import { formatMoney } from '@/lib/format/number';
import { formatDateTime } from '@/lib/format/time';
import type { FlowCellPick } from './FlowHeatTable';

const PAGE = 500;

/** The waiting transactions of one cell, oldest first, paged by the API's cursor; CSV of what is loaded. */
export function WaitingList({ pick, asOf, warehouses, tz }: { pick: FlowCellPick; asOf: string; warehouses: string[]; tz: string }) {
  const [overdueOnly, setOverdueOnly] = useState(false);
  const key = (i: number, prev: FlowWaitingResponse | null): string | null => {
    if (prev && prev.next_cursor === null) return null;
    return apiUrl('/api/v1/kpi/flow/waiting', {
      workflow: pick.workflow,
      stage: pick.stage,
      as_of: asOf,
      overdue: overdueOnly ? 'true' : 'false',
      limit: PAGE,
      cursor: i === 0 ? null : prev?.next_cursor,
      warehouse: warehouses,
    });
  };
  const pages = useSWRInfinite<FlowWaitingResponse, ApiError>(key, fetchJson<FlowWaitingResponse>, { revalidateOnFocus: false });
  const items = (pages.data ?? []).flatMap((p) => p.items);
  const more = pages.data?.at(-1)?.next_cursor != null;

  const cols: Column<FlowWaitingItem>[] = [
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
    { key: 'workflow', header: 'Workflow', value: (r) => r.workflow, csvOnly: true },
    { key: 'stage', header: 'Stage', value: (r) => r.stage, csvOnly: true },
    { key: 'reached_at', header: 'Reached', value: (r) => r.reached_at, cell: (r) => formatDateTime(r.reached_at, tz) },
    { key: 'wait_seconds', header: 'Waiting', align: 'right', value: (r) => r.wait_seconds, cell: (r) => formatDuration(r.wait_seconds) },
    { key: 'slo_seconds', header: 'SLA', align: 'right', value: (r) => r.slo_seconds, cell: (r) => formatDuration(r.slo_seconds) },
    { key: 'overdue', header: 'Overdue', value: (r) => r.overdue, cell: (r) => (r.overdue ? `by ${formatDuration(r.wait_seconds - r.slo_seconds)}` : 'no') },
    { key: 'amount', header: 'Amount', align: 'right', value: (r) => r.amount, cell: (r) => formatMoney(r.amount) },
  ];

  const toolbar = (
    <div className="flex flex-wrap items-center gap-3">
      <label className="inline-flex items-center gap-1 text-xs">
        <input type="checkbox" checked={overdueOnly} onChange={(e) => setOverdueOnly(e.target.checked)} /> Overdue only
      </label>
      {more && (
        <button type="button" onClick={() => void pages.setSize(pages.size + 1)} className="rounded border border-slate-300 px-2 py-1 text-xs dark:border-slate-700">
          Load more
        </button>
      )}
    </div>
  );

  if (pages.error) return <ErrorState error={pages.error} onRetry={() => void pages.mutate()} />;
  if (!pages.data) return <SkeletonBlock label="Loading waiting transactions" />;
  return (
    <DataTable
      caption={`Transactions waiting at ${pick.stage}`}
      csvName={`flow-waiting-${pick.workflow}-${pick.stage}${pick.warehouse ? `-${pick.warehouse}` : ''}`}
      columns={cols}
      rows={items}
      rowKey={(r) => r.correlation_id}
      rowTone={(r) => (r.overdue ? 'bg-red-50 dark:bg-red-950/40' : undefined)}
      pageSize={50}
      toolbar={toolbar}
      empty={<EmptyState title={overdueOnly ? 'Nothing overdue here' : 'Nothing waiting here'} />}
    />
  );
}
