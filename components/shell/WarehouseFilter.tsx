'use client';
import { useEffect, useRef, useState } from 'react';
import type { SyncLagResponse } from '@/components/data/types';
import { useApi } from '@/components/data/use-api';
import { useQueryState, useWarehouses } from './url-state';

/**
 * Multi-select of warehouses. The list comes from the sync-lag KPI, which names every warehouse in the
 * caller's scope that has any event at any time (metrics.md), so it needs no endpoint of its own.
 */
export function WarehouseFilter() {
  const selected = useWarehouses();
  const { set } = useQueryState();
  const { data } = useApi<SyncLagResponse>('/api/v1/kpi/sync-lag', { live: false });
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const all = [...new Set([...(data?.warehouses.map((w) => w.warehouse_id) ?? []), ...selected])].sort();
  const toggle = (w: string) => set({ warehouse: selected.includes(w) ? selected.filter((x) => x !== w) : [...selected, w] });
  const label = selected.length === 0 ? 'All warehouses' : selected.length === 1 ? selected[0]! : `${selected[0]} +${selected.length - 1}`;

  return (
    <div ref={ref} className="relative">
      <button
        type="button"
        aria-haspopup="true"
        aria-expanded={open}
        aria-label={`Warehouse filter: ${selected.length === 0 ? 'all warehouses' : selected.join(', ')}`}
        onClick={() => setOpen((v) => !v)}
        className={`rounded border px-2 py-1 text-xs font-medium ${selected.length ? 'border-sky-500 text-sky-800 dark:text-sky-300' : 'border-slate-300 dark:border-slate-700'}`}
      >
        {label} <span aria-hidden="true">▾</span>
      </button>
      {open ? (
        <fieldset className="absolute right-0 top-full z-30 mt-1 max-h-80 w-56 overflow-y-auto rounded-md border border-slate-200 bg-white p-2 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900">
          <legend className="sr-only">Warehouses</legend>
          <button type="button" onClick={() => set({ warehouse: null })} className="mb-1 w-full rounded px-2 py-1 text-left text-xs font-medium text-sky-700 hover:bg-slate-100 dark:text-sky-400 dark:hover:bg-slate-800">
            All warehouses
          </button>
          {all.length === 0 ? <p className="px-2 py-1 text-xs text-slate-500">{data ? 'No warehouses yet' : 'Loading…'}</p> : null}
          {all.map((w) => (
            <label key={w} className="flex cursor-pointer items-center gap-2 rounded px-2 py-1 hover:bg-slate-100 dark:hover:bg-slate-800">
              <input type="checkbox" checked={selected.includes(w)} onChange={() => toggle(w)} />
              {w}
            </label>
          ))}
        </fieldset>
      ) : null}
    </div>
  );
}
