'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { type ApiError, apiUrl, fetchJson } from '@/components/data/fetcher';
import type { SearchResponse, SearchResult } from '@/components/data/types';
import { formatDateTime } from '@/lib/format/time';
import { correlationHref, useRange } from './url-state';

type State = { kind: 'idle' } | { kind: 'busy' } | { kind: 'results'; q: string; results: SearchResult[] } | { kind: 'error'; message: string };

/** Paste a correlation ID, document ref or exception ID: one transaction → go there; several → choose. */
export function SearchBox() {
  const router = useRouter();
  const { tz } = useRange();
  const [q, setQ] = useState('');
  const [state, setState] = useState<State>({ kind: 'idle' });
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (state.kind !== 'results' && state.kind !== 'error') return;
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setState({ kind: 'idle' });
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [state.kind]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const text = q.trim();
    if (!text) return;
    setState({ kind: 'busy' });
    try {
      const res = await fetchJson<SearchResponse>(apiUrl('/api/v1/search', { q: text }));
      const ids = [...new Set(res.results.map((r) => r.correlation_id))];
      if (ids.length === 1) {
        setState({ kind: 'idle' });
        router.push(correlationHref(ids[0]!));
        return;
      }
      setState({ kind: 'results', q: text, results: res.results });
    } catch (err) {
      setState({ kind: 'error', message: (err as ApiError).message });
    }
  };

  return (
    <div ref={ref} className="relative w-full min-w-48 max-w-md flex-1">
      <form role="search" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && setState({ kind: 'idle' })}>
        <label htmlFor="global-search" className="sr-only">
          Search by correlation ID, document ref or exception ID
        </label>
        <input
          id="global-search"
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder="Correlation ID, document ref, exception ID…"
          aria-label="Search by correlation ID, document ref or exception ID"
          autoComplete="off"
          className="w-full rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900"
        />
      </form>
      {state.kind === 'busy' ? <p className="sr-only" role="status">Searching…</p> : null}
      {state.kind === 'error' || state.kind === 'results' ? (
        <div role="region" aria-label="Search results" className="absolute left-0 right-0 top-full z-40 mt-1 max-h-96 overflow-y-auto rounded-md border border-slate-200 bg-white text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900">
          {state.kind === 'error' ? (
            <p role="alert" className="px-3 py-2 text-red-700 dark:text-red-400">
              {state.message}
            </p>
          ) : state.results.length === 0 ? (
            <p className="px-3 py-2 text-slate-500">No transaction matches “{state.q}”.</p>
          ) : (
            <ul>
              {state.results.map((r, i) => (
                <li key={`${r.correlation_id}-${r.kind}-${i}`}>
                  <Link href={correlationHref(r.correlation_id)} onClick={() => setState({ kind: 'idle' })} className="block px-3 py-2 hover:bg-slate-100 dark:hover:bg-slate-800">
                    <span className="font-mono text-xs">{r.correlation_id}</span>
                    <span className="block text-xs text-slate-500 dark:text-slate-400">
                      {r.kind}: {r.value} · {r.warehouse_id} · {r.type} · {formatDateTime(r.occurred_at, tz)}
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </div>
  );
}
