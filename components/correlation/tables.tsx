'use client';
import Link from 'next/link';
import type { ApiEvent, CorrelationResponse } from '@/components/data/types';
import { useGlobalHref } from '@/components/shell/url-state';
import { type Column, DataTable } from '@/components/ui/DataTable';
import { EmptyState } from '@/components/ui/EmptyState';
import { Badge, SeverityBadge } from '@/components/ui/StatusBadge';
import { formatDateTime } from '@/lib/format/time';
import { isFailedMessage } from './derive';

type Exc = CorrelationResponse['exceptions'][number];
const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined ? null : String(v));

export function ExceptionsTable({ rows, tz }: { rows: readonly Exc[]; tz: string }) {
  const href = useGlobalHref();
  const cols: Column<Exc>[] = [
    {
      key: 'exception_id',
      header: 'Exception',
      value: (r) => r.exception_id,
      cell: (r) => (
        <Link href={href('/exceptions', { status: 'all', sel: r.exception_id })} className="font-mono text-xs text-sky-700 hover:underline dark:text-sky-400">
          {r.exception_id}
        </Link>
      ),
    },
    { key: 'severity', header: 'Severity', value: (r) => r.severity, cell: (r) => <SeverityBadge severity={r.severity} /> },
    { key: 'category', header: 'Category', value: (r) => r.category },
    { key: 'status', header: 'Status', value: (r) => r.status, cell: (r) => <Badge tone={r.status === 'resolved' ? 'ok' : r.status === 'acknowledged' ? 'warn' : 'breach'}>{r.status}</Badge> },
    { key: 'owner', header: 'Owner', value: (r) => r.owner },
    { key: 'opened_at', header: 'Opened', value: (r) => r.opened_at, cell: (r) => formatDateTime(r.opened_at, tz) },
    { key: 'resolved_at', header: 'Resolved', value: (r) => r.resolved_at, cell: (r) => formatDateTime(r.resolved_at, tz) },
  ];
  return <DataTable caption="Linked exceptions" csvName="correlation-exceptions" columns={cols} rows={rows} rowKey={(r) => r.exception_id} empty={<EmptyState title="No exceptions on this transaction" />} />;
}

export function FailedTable({ events, tz }: { events: readonly ApiEvent[]; tz: string }) {
  const cols: Column<ApiEvent>[] = [
    { key: 'event_id', header: 'Event', value: (r) => r.event_id, cell: (r) => <span className="break-all font-mono text-xs">{r.event_id}</span> },
    { key: 'occurred_at', header: 'Occurred', value: (r) => r.occurred_at, cell: (r) => formatDateTime(r.occurred_at, tz, { seconds: true }) },
    { key: 'route', header: 'Route', value: (r) => `${r.source_system} → ${r.target_system ?? ''}` },
    { key: 'interface', header: 'Interface', value: (r) => str(r.attributes.interface) },
    { key: 'status', header: 'Status', value: (r) => str(r.attributes.status), cell: (r) => <Badge tone="breach">{str(r.attributes.status)}</Badge> },
    { key: 'attempt', header: 'Attempt', align: 'right', value: (r) => (typeof r.attributes.attempt === 'number' ? r.attributes.attempt : null) },
    { key: 'error', header: 'Error', value: (r) => str(r.attributes.error) },
  ];
  return (
    <DataTable
      caption="Failed and dead-lettered messages"
      csvName="correlation-failed-messages"
      columns={cols}
      rows={events.filter(isFailedMessage)}
      rowKey={(r) => r.event_id}
      empty={<EmptyState title="No failed messages" />}
    />
  );
}

/** Every event in order; the raw JSON opens on demand. */
export function EventsTable({ events, tz }: { events: readonly ApiEvent[]; tz: string }) {
  const cols: Column<ApiEvent>[] = [
    { key: 'occurred_at', header: 'Occurred', value: (r) => r.occurred_at, cell: (r) => formatDateTime(r.occurred_at, tz, { seconds: true }) },
    { key: 'type', header: 'Type', value: (r) => r.type },
    { key: 'route', header: 'System', value: (r) => (r.target_system ? `${r.source_system} → ${r.target_system}` : r.source_system) },
    { key: 'warehouse_id', header: 'Warehouse', value: (r) => r.warehouse_id },
    { key: 'document_ref', header: 'Document', value: (r) => r.document_ref },
    { key: 'observed_at', header: 'Observed', value: (r) => r.observed_at, csvOnly: true },
    { key: 'event_id', header: 'Event ID', value: (r) => r.event_id, csvOnly: true },
    { key: 'attributes', header: 'Attributes', value: (r) => JSON.stringify(r.attributes), csvOnly: true },
    {
      key: 'raw',
      header: 'Raw',
      sortable: false,
      noCsv: true,
      value: () => null,
      cell: (r) => (
        <details>
          <summary className="cursor-pointer text-xs text-sky-700 dark:text-sky-400">JSON</summary>
          <pre className="mt-1 max-w-[36rem] overflow-x-auto whitespace-pre-wrap break-all rounded bg-slate-100 p-2 text-xs dark:bg-slate-950">{JSON.stringify(r, null, 2)}</pre>
        </details>
      ),
    },
  ];
  return (
    <DataTable
      caption="All events of this transaction"
      csvName="correlation-events"
      columns={cols}
      rows={events}
      rowKey={(r) => r.event_id}
      rowHeader={false}
      rowTone={(r) => (isFailedMessage(r) ? 'bg-red-50 dark:bg-red-950/40' : undefined)}
    />
  );
}
