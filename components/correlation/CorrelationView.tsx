'use client';
import { apiUrl } from '@/components/data/fetcher';
import type { CorrelationResponse } from '@/components/data/types';
import { useApi } from '@/components/data/use-api';
import { useRange } from '@/components/shell/url-state';
import { EmptyState } from '@/components/ui/EmptyState';
import { ErrorState } from '@/components/ui/ErrorState';
import { PageHeader, Panel } from '@/components/ui/Panel';
import { ChartSkeleton, SkeletonBlock } from '@/components/ui/Skeleton';
import { formatDuration } from '@/lib/format/duration';
import { formatDateTime } from '@/lib/format/time';
import { isFailedMessage, spanOf, workflowOf } from './derive';
import { Stages } from './Stages';
import { EventsTable, ExceptionsTable, FailedTable } from './tables';
import { Timeline } from './Timeline';

/** `/c/<id>`: one business transaction end to end. Uses the query form so any id (".", "..", "/") works. */
export function CorrelationView({ id }: { id: string }) {
  const { tz } = useRange();
  const res = useApi<CorrelationResponse>(apiUrl('/api/v1/correlations', { id }), { keepPreviousData: false });

  if (res.error?.status === 404 || (res.data && res.data.events.length === 0)) {
    return (
      <div className="space-y-4">
        <PageHeader title="Correlation" subtitle={<span className="break-all font-mono">{id}</span>} />
        <EmptyState title="Correlation not found or not in your scope">
          No event with correlation ID <span className="break-all font-mono">“{id}”</span> is visible to you.
        </EmptyState>
      </div>
    );
  }
  if (res.error && !res.data) return <ErrorState error={res.error} onRetry={() => void res.mutate()} />;
  if (!res.data) {
    return (
      <div className="space-y-4">
        <SkeletonBlock rows={2} label="Loading correlation" />
        <ChartSkeleton height={180} label="Loading timeline" />
      </div>
    );
  }
  const c = res.data;
  const span = spanOf(c);
  const warehouses = [...new Set(c.events.map((e) => e.warehouse_id))];
  const failed = c.events.filter(isFailedMessage).length;

  return (
    <div className="space-y-4">
      <PageHeader
        title="Correlation"
        subtitle={
          <>
            <span className="break-all font-mono text-slate-800 dark:text-slate-200">{c.correlation_id}</span>
            <span className="block">
              {workflowOf(c)} · {warehouses.join(', ')} · {c.events.length} events{failed ? ` · ${failed} failed messages` : ''}
              {span ? ` · ${formatDateTime(span.first, tz)} – ${formatDateTime(span.last, tz)} (${formatDuration((span.last - span.first) / 1000)})` : ''}
            </span>
          </>
        }
      />
      {res.error ? <ErrorState error={res.error} onRetry={() => void res.mutate()} /> : null}
      <Panel title="Stages" id="stages">
        <Stages c={c} tz={tz} />
      </Panel>
      <Panel title="Timeline" id="timeline">
        <Timeline events={c.events} tz={tz} />
      </Panel>
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2 *:min-w-0">
        <Panel title="Linked exceptions" id="exceptions">
          <ExceptionsTable rows={c.exceptions} tz={tz} />
        </Panel>
        <Panel title="Failed messages" id="failed">
          <FailedTable events={c.events} tz={tz} />
        </Panel>
      </div>
      <Panel title="Events" id="events">
        <EventsTable events={c.events} tz={tz} />
      </Panel>
    </div>
  );
}
