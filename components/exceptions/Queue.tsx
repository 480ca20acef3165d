'use client';
import Link from 'next/link';
import { useEffect, useRef } from 'react';
import type { ExceptionItem } from '@/components/data/types';
import { correlationHref } from '@/components/shell/url-state';
import { CsvButton } from '@/components/ui/CsvButton';
import { Badge, SeverityBadge } from '@/components/ui/StatusBadge';
import type { CsvColumn } from '@/lib/format/csv';
import { formatDuration } from '@/lib/format/duration';
import { formatDateTime } from '@/lib/format/time';

const CSV: CsvColumn<ExceptionItem>[] = [
  'exception_id',
  'warehouse_id',
  'correlation_id',
  'workflow',
  'category',
  'severity',
  'status',
  'owner',
  'opened_at',
  'acknowledged_at',
  'resolved_at',
  'age_seconds',
].map((k) => ({ header: k, value: (r: ExceptionItem) => r[k as keyof ExceptionItem] }));

const STATUS_TONE = { open: 'breach', acknowledged: 'warn', resolved: 'ok' } as const;

interface Props {
  items: readonly ExceptionItem[];
  cursor: number;
  openId: string | null;
  checked: ReadonlySet<string>;
  canAct: boolean;
  tz: string;
  onCursor: (i: number) => void;
  onOpen: (id: string) => void;
  onCheck: (id: string, on: boolean) => void;
  onCheckAll: (on: boolean) => void;
}

/** The triage queue. Keyboard: j/k move the cursor row, Enter opens it, a acknowledges it (see ExceptionsView). */
export function Queue({ items, cursor, openId, checked, canAct, tz, onCursor, onOpen, onCheck, onCheckAll }: Props) {
  const body = useRef<HTMLTableSectionElement>(null);
  useEffect(() => {
    body.current?.querySelector<HTMLElement>(`tr[data-index="${cursor}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [cursor]);
  const allChecked = items.length > 0 && items.every((i) => checked.has(i.exception_id));

  return (
    <div className="min-w-0">
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2 text-xs text-slate-500 dark:text-slate-400">
        <p>
          <kbd className="rounded border px-1">j</kbd>/<kbd className="rounded border px-1">k</kbd> move · <kbd className="rounded border px-1">Enter</kbd> open
          {canAct ? (
            <>
              {' '}
              · <kbd className="rounded border px-1">a</kbd> acknowledge
            </>
          ) : null}
        </p>
        <CsvButton name="exceptions" columns={CSV} rows={items} />
      </div>
      <div className="max-h-[60vh] overflow-auto">
        <table className="w-full border-collapse text-sm" aria-label="Exception triage queue">
          <thead className="sticky top-0 bg-white dark:bg-slate-900">
            <tr className="border-b border-slate-200 text-left text-xs uppercase text-slate-500 dark:border-slate-700 dark:text-slate-400">
              {canAct ? (
                <th scope="col" className="w-8 px-2 py-2">
                  <input type="checkbox" aria-label="Select all listed exceptions" checked={allChecked} onChange={(e) => onCheckAll(e.target.checked)} />
                </th>
              ) : null}
              <th scope="col" className="px-2 py-2">Exception</th>
              <th scope="col" className="px-2 py-2">Severity</th>
              <th scope="col" className="px-2 py-2">Status</th>
              <th scope="col" className="px-2 py-2">Warehouse</th>
              <th scope="col" className="px-2 py-2">Category</th>
              <th scope="col" className="px-2 py-2">Owner</th>
              <th scope="col" className="px-2 py-2 text-right">Age</th>
              <th scope="col" className="px-2 py-2">Correlation</th>
            </tr>
          </thead>
          <tbody ref={body}>
            {items.map((it, i) => {
              const isCursor = i === cursor;
              const isOpen = it.exception_id === openId;
              return (
                <tr
                  key={it.exception_id}
                  data-index={i}
                  data-exception-id={it.exception_id}
                  data-status={it.status}
                  aria-selected={isCursor}
                  onClick={() => {
                    onCursor(i);
                    onOpen(it.exception_id);
                  }}
                  className={`cursor-pointer border-b border-slate-100 dark:border-slate-800 ${isCursor ? 'bg-sky-50 outline outline-2 -outline-offset-2 outline-sky-500 dark:bg-sky-950/50' : isOpen ? 'bg-slate-50 dark:bg-slate-800/50' : 'hover:bg-slate-50 dark:hover:bg-slate-800/40'}`}
                >
                  {canAct ? (
                    <td className="px-2 py-1.5" onClick={(e) => e.stopPropagation()}>
                      <input type="checkbox" aria-label={`Select ${it.exception_id}`} checked={checked.has(it.exception_id)} onChange={(e) => onCheck(it.exception_id, e.target.checked)} />
                    </td>
                  ) : null}
                  <th scope="row" className="px-2 py-1.5 text-left font-mono text-xs font-medium">
                    {it.exception_id}
                  </th>
                  <td className="px-2 py-1.5">
                    <SeverityBadge severity={it.severity} />
                  </td>
                  <td className="px-2 py-1.5">
                    <Badge tone={STATUS_TONE[it.status] ?? 'neutral'}>{it.status}</Badge>
                  </td>
                  <td className="px-2 py-1.5">{it.warehouse_id}</td>
                  <td className="px-2 py-1.5">{it.category}</td>
                  <td className="px-2 py-1.5">{it.owner ?? <span className="text-slate-400">unassigned</span>}</td>
                  <td className="px-2 py-1.5 text-right tabular-nums" title={`opened ${formatDateTime(it.opened_at, tz)}`}>
                    {formatDuration(it.age_seconds)}
                  </td>
                  <td className="max-w-48 truncate px-2 py-1.5 font-mono text-xs" onClick={(e) => e.stopPropagation()}>
                    <Link href={correlationHref(it.correlation_id)} className="text-sky-700 hover:underline dark:text-sky-400" title={it.correlation_id}>
                      {it.correlation_id}
                    </Link>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
