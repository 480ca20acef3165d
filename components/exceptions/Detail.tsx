'use client';
import Link from 'next/link';
import type { ApiEvent, ExceptionDetail } from '@/components/data/types';
import { useApi } from '@/components/data/use-api';
import { correlationHref } from '@/components/shell/url-state';
import { DataState } from '@/components/ui/DataState';
import { Badge, SeverityBadge } from '@/components/ui/StatusBadge';
import { formatDuration } from '@/lib/format/duration';
import { formatDateTime } from '@/lib/format/time';
import { type ActionInput, allowed, exceptionPath } from './actions';
import { ActionForms } from './ActionForms';

const STATUS_TONE = { open: 'breach', acknowledged: 'warn', resolved: 'ok' } as const;

/** `actor` is set only for the tower's own triage; a source system's event is shown as that system's. */
function HistoryEntry({ e, tz }: { e: ApiEvent & { actor: string | null }; tz: string }) {
  const a = e.attributes;
  const what = e.type.replace(/^exception\./, '');
  const details = [
    e.actor !== null ? `by ${e.actor}` : `by ${e.source_system}`,
    typeof a.owner === 'string' ? `owner ${a.owner}` : null,
    typeof a.resolution === 'string' ? `“${a.resolution}”` : null,
    typeof a.summary === 'string' ? a.summary : null,
  ].filter(Boolean);
  return (
    <li className="relative border-l-2 border-slate-200 pb-3 pl-3 last:pb-0 dark:border-slate-700">
      <span aria-hidden="true" className="absolute -left-[5px] top-1 h-2 w-2 rounded-full bg-slate-400" />
      <p className="text-xs">
        <span className="font-semibold capitalize">{what}</span>
        <span className="text-slate-500 dark:text-slate-400"> · {formatDateTime(e.occurred_at, tz, { seconds: true })} · {e.source_system}</span>
      </p>
      {details.length ? <p className="text-xs text-slate-600 dark:text-slate-300">{details.join(' · ')}</p> : null}
    </li>
  );
}

/** One exception: its fields, the audit trail (every exception.* event) and, for support, the actions. */
export function Detail({ id, tz, canAct, busy, message, onAction, onClose }: { id: string; tz: string; canAct: boolean; busy: boolean; message: string | null; onAction: (a: ActionInput) => void; onClose: () => void }) {
  const detail = useApi<ExceptionDetail>(exceptionPath(id));
  return (
    <aside aria-label={`Exception ${id}`} className="min-w-0 rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div className="mb-2 flex items-start justify-between gap-2">
        <h2 className="font-mono text-sm font-semibold break-all">{id}</h2>
        <button type="button" onClick={onClose} aria-label="Close exception detail" className="rounded px-1 text-slate-500 hover:bg-slate-100 dark:hover:bg-slate-800">
          ✕
        </button>
      </div>
      <DataState {...detail} retry={() => void detail.mutate()}>
        {(d) => {
          const history = [...d.history].sort((x, y) => x.occurred_at.localeCompare(y.occurred_at) || x.event_id.localeCompare(y.event_id));
          return (
            <div className="space-y-3 text-sm">
              <div className="flex flex-wrap gap-2">
                <SeverityBadge severity={d.severity} />
                <Badge tone={STATUS_TONE[d.status] ?? 'neutral'}>{d.status}</Badge>
                <Badge tone="neutral">{d.category}</Badge>
              </div>
              <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
                <dt className="text-slate-500">Warehouse</dt>
                <dd>{d.warehouse_id}</dd>
                <dt className="text-slate-500">Workflow</dt>
                <dd>{d.workflow}</dd>
                <dt className="text-slate-500">Owner</dt>
                <dd>{d.owner ?? 'unassigned'}</dd>
                <dt className="text-slate-500">Opened</dt>
                <dd>
                  {formatDateTime(d.opened_at, tz)} ({formatDuration(d.age_seconds)} ago)
                </dd>
                <dt className="text-slate-500">Acknowledged</dt>
                <dd>{formatDateTime(d.acknowledged_at, tz)}</dd>
                <dt className="text-slate-500">Resolved</dt>
                <dd>{formatDateTime(d.resolved_at, tz)}</dd>
                <dt className="text-slate-500">Correlation</dt>
                <dd className="break-all font-mono">
                  <Link href={correlationHref(d.correlation_id)} className="text-sky-700 hover:underline dark:text-sky-400">
                    {d.correlation_id}
                  </Link>
                </dd>
              </dl>
              {canAct ? (
                <ActionForms
                  key={id}
                  target={id}
                  busy={busy}
                  canAcknowledge={allowed('acknowledge', d)}
                  canAssign={allowed('assign', d)}
                  canResolve={allowed('resolve', d)}
                  onAction={onAction}
                />
              ) : null}
              {message ? (
                <p role="status" className="text-xs text-slate-700 dark:text-slate-300">
                  {message}
                </p>
              ) : null}
              <section aria-label="Audit trail">
                <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">Audit trail</h3>
                <ol>
                  {history.map((e) => (
                    <HistoryEntry key={e.event_id} e={e} tz={tz} />
                  ))}
                </ol>
              </section>
            </div>
          );
        }}
      </DataState>
    </aside>
  );
}
