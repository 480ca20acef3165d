'use client';
import { useCallback, useEffect, useState } from 'react';
import { useSessionUser, canAct as canActFor } from '@/components/shell/session';
import { useQueryState, useRange, useWarehouses } from '@/components/shell/url-state';
import { DataState } from '@/components/ui/DataState';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader, Panel } from '@/components/ui/Panel';
import { type ActionInput, allowed, describeOutcome, useExceptionActions } from './actions';
import { ActionForms } from './ActionForms';
import { AgingPanel } from './AgingPanel';
import { Detail } from './Detail';
import { Filters, useExceptionFilters } from './Filters';
import { Queue } from './Queue';
import { useQueue } from './use-queue';

const typing = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

/** `/exceptions`: the support home. Queue + filters + aging, actions singly and in bulk, keyboard triage. */
export function ExceptionsView() {
  const q = useQueryState();
  const { tz } = useRange();
  const warehouse = useWarehouses();
  const filters = useExceptionFilters();
  const { user } = useSessionUser();
  const canAct = canActFor(user);
  const queue = useQueue(filters, warehouse);
  const items = queue.items;
  const openId = q.get('sel');
  const [cursor, setCursor] = useState(0);
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const { mutate: revalidate } = queue;
  const act = useExceptionActions(revalidate);

  useEffect(() => {
    if (cursor > 0 && cursor >= items.length) setCursor(Math.max(0, items.length - 1));
  }, [cursor, items.length]);

  const open = useCallback((id: string) => q.set({ sel: id }, { replace: true }), [q]);

  const run = useCallback(
    async (ids: readonly string[], a: ActionInput) => {
      if (ids.length === 0) return;
      setBusy(true);
      setMessage(null);
      try {
        const out = await act(ids, a);
        setMessage(describeOutcome(a.kind, out));
        setChecked((prev) => new Set([...prev].filter((id) => !out.ok.includes(id))));
      } finally {
        setBusy(false);
      }
    },
    [act],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey || typing(e.target)) return;
      const cur = items[cursor];
      if (e.key === 'j') {
        e.preventDefault();
        if (cursor >= items.length - 1 && queue.hasMore) queue.loadMore();
        setCursor((c) => Math.min(c + 1, Math.max(items.length - 1, 0)));
      } else if (e.key === 'k') {
        e.preventDefault();
        setCursor((c) => Math.max(c - 1, 0));
      } else if (e.key === 'Enter' && cur && !(e.target instanceof HTMLButtonElement || e.target instanceof HTMLAnchorElement)) {
        e.preventDefault();
        open(cur.exception_id);
      } else if (e.key === 'a' && cur && canAct && !busy && allowed('acknowledge', cur)) {
        e.preventDefault();
        void run([cur.exception_id], { kind: 'acknowledge' });
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [items, cursor, canAct, busy, run, open, queue]);

  const checkedItems = items.filter((i) => checked.has(i.exception_id));
  const checkedIds = checkedItems.map((i) => i.exception_id);

  return (
    <div className="space-y-4">
      <PageHeader title="Exceptions" subtitle="Open exceptions to triage. Select rows for bulk actions; filters stay in the URL." />
      <Filters />
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-3 *:min-w-0">
        <div className="min-w-0 space-y-3 lg:col-span-2">
          {canAct && checkedIds.length > 0 ? (
            <div role="region" aria-label="Bulk actions" className="flex flex-wrap items-center gap-3 rounded-md border border-sky-300 bg-sky-50 px-3 py-2 dark:border-sky-800 dark:bg-sky-950/40">
              <span className="text-xs font-medium">{checkedIds.length} selected</span>
              <ActionForms
                target={`${checkedIds.length} selected exceptions`}
                busy={busy}
                canAcknowledge={checkedItems.some((i) => allowed('acknowledge', i))}
                canAssign={checkedItems.some((i) => allowed('assign', i))}
                canResolve={checkedItems.some((i) => allowed('resolve', i))}
                onAction={(a) => void run(checkedItems.filter((i) => allowed(a.kind, i)).map((i) => i.exception_id), a)}
              />
              <button type="button" onClick={() => setChecked(new Set())} className="text-xs text-sky-700 hover:underline dark:text-sky-400">
                Clear selection
              </button>
            </div>
          ) : null}
          {message && !openId ? (
            <p role="status" className="rounded-md bg-slate-100 px-3 py-2 text-sm dark:bg-slate-800">
              {message}
            </p>
          ) : null}
          <Panel title="Triage queue" id="queue">
            <DataState
              data={queue.data}
              error={queue.error}
              isLoading={queue.isLoading}
              retry={() => void queue.mutate()}
              isEmpty={() => items.length === 0}
              empty={<EmptyState title="No exceptions match these filters" />}
            >
              {() => (
                <>
                  <Queue
                    items={items}
                    cursor={cursor}
                    openId={openId}
                    checked={checked}
                    canAct={canAct}
                    tz={tz}
                    onCursor={setCursor}
                    onOpen={open}
                    onCheck={(id, on) => setChecked((prev) => { const n = new Set(prev); if (on) n.add(id); else n.delete(id); return n; })}
                    onCheckAll={(on) => setChecked(on ? new Set(items.map((i) => i.exception_id)) : new Set())}
                  />
                  {queue.hasMore ? (
                    <button type="button" onClick={queue.loadMore} disabled={queue.loadingMore} className="mt-2 rounded border border-slate-300 px-3 py-1 text-xs font-medium hover:bg-slate-100 disabled:opacity-50 dark:border-slate-700 dark:hover:bg-slate-800">
                      {queue.loadingMore ? 'Loading…' : 'Load more'}
                    </button>
                  ) : null}
                </>
              )}
            </DataState>
          </Panel>
        </div>
        <div className="min-w-0 space-y-4">
          {openId ? (
            <Detail id={openId} tz={tz} canAct={canAct} busy={busy} message={message} onAction={(a) => void run([openId], a)} onClose={() => q.set({ sel: null }, { replace: true })} />
          ) : null}
          <AgingPanel warehouse={warehouse} showTable={false} />
        </div>
      </div>
    </div>
  );
}
