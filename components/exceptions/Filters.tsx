'use client';
import { useEffect, useRef, useState } from 'react';
import { AGE_BUCKET_LABELS, AGE_BUCKETS } from '@/components/data/age-buckets';
import { useQueryState } from '@/components/shell/url-state';

const CATEGORIES = ['sync_failure', 'inventory_mismatch', 'invoice_mismatch', 'pricing', 'tax', 'credit_hold', 'duplicate', 'missing_document'];
const field = 'rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900';

export interface ExceptionFilters {
  status: string;
  severity: string;
  category: string;
  owner: string;
  age: string;
}

export function useExceptionFilters(): ExceptionFilters {
  const q = useQueryState();
  return {
    status: q.get('status') ?? 'open',
    severity: q.get('severity') ?? '',
    category: q.get('category') ?? '',
    owner: q.get('owner') ?? '',
    age: q.get('age') ?? '',
  };
}

/** Free-text filters settle for a moment before they touch the URL (and the API). */
function useDebouncedParam(name: 'category' | 'owner', current: string) {
  const { set } = useQueryState();
  const [text, setText] = useState(current);
  // What this input last wrote: a URL change we did not cause (e.g. "Clear filters") resets the text,
  // our own echo must not clobber what was typed meanwhile.
  const pushed = useRef(current);
  useEffect(() => {
    if (current === pushed.current) return;
    pushed.current = current;
    setText(current);
  }, [current]);
  useEffect(() => {
    const value = text.trim();
    if (value === pushed.current) return;
    const id = window.setTimeout(() => {
      pushed.current = value;
      set({ [name]: value || null, sel: null }, { replace: true });
    }, 400);
    return () => window.clearTimeout(id);
  }, [text, name, set]);
  return [text, setText] as const;
}

export function Filters() {
  const q = useQueryState();
  const f = useExceptionFilters();
  const [category, setCategory] = useDebouncedParam('category', f.category);
  const [owner, setOwner] = useDebouncedParam('owner', f.owner);
  const pick = (k: keyof ExceptionFilters) => (e: React.ChangeEvent<HTMLSelectElement>) => q.set({ [k]: e.target.value || null, sel: null });

  return (
    <form role="search" aria-label="Exception filters" onSubmit={(e) => e.preventDefault()} className="flex flex-wrap items-end gap-3 text-xs">
      <label className="flex flex-col gap-1">
        Status
        <select aria-label="Status" value={f.status} onChange={pick('status')} className={field}>
          <option value="open">Open (incl. acknowledged)</option>
          <option value="resolved">Resolved</option>
          <option value="all">All</option>
        </select>
      </label>
      <label className="flex flex-col gap-1">
        Severity
        <select aria-label="Severity" value={f.severity} onChange={pick('severity')} className={field}>
          <option value="">Any</option>
          {['critical', 'high', 'medium', 'low'].map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1">
        Category
        <input aria-label="Category" list="exception-categories" value={category} onChange={(e) => setCategory(e.target.value)} placeholder="any" className={`${field} w-40`} />
        <datalist id="exception-categories">
          {CATEGORIES.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
      </label>
      <label className="flex flex-col gap-1">
        Owner
        <input aria-label="Owner" value={owner} onChange={(e) => setOwner(e.target.value)} placeholder="any" className={`${field} w-40`} />
      </label>
      <label className="flex flex-col gap-1">
        Age
        <select aria-label="Age bucket" value={f.age} onChange={pick('age')} className={field}>
          <option value="">Any</option>
          {AGE_BUCKETS.map((b) => (
            <option key={b} value={b}>
              {AGE_BUCKET_LABELS[b]}
            </option>
          ))}
        </select>
      </label>
      {f.severity || f.category || f.owner || f.age || f.status !== 'open' ? (
        <button
          type="button"
          onClick={() => q.set({ status: null, severity: null, category: null, owner: null, age: null, sel: null })}
          className="rounded px-2 py-1 font-medium text-sky-700 hover:underline dark:text-sky-400"
        >
          Clear filters
        </button>
      ) : null}
    </form>
  );
}
