'use client';
import useSWRInfinite from 'swr/infinite';
import { type ApiError, apiUrl, fetchJson } from '@/components/data/fetcher';
import type { ExceptionItem, ExceptionList } from '@/components/data/types';
import { useLive } from '@/components/shell/live';
import type { ExceptionFilters } from './Filters';

/** The queue, page by page through `next_cursor`; refreshing revalidates every loaded page. */
export function useQueue(f: ExceptionFilters, warehouse: readonly string[]) {
  const { refreshInterval } = useLive();
  const base = { status: f.status, severity: f.severity, category: f.category, owner: f.owner, age: f.age, warehouse };
  const res = useSWRInfinite<ExceptionList, ApiError>(
    (index, prev: ExceptionList | null) => {
      if (index === 0) return apiUrl('/api/v1/exceptions', base);
      if (!prev?.next_cursor) return null;
      return apiUrl('/api/v1/exceptions', { ...base, cursor: prev.next_cursor });
    },
    fetchJson<ExceptionList>,
    { refreshInterval, revalidateOnFocus: false, revalidateFirstPage: true, persistSize: false },
  );
  const pages = res.data;
  const items: ExceptionItem[] = [];
  const seen = new Set<string>();
  // Pages can overlap while rows move between refreshes; show each exception once.
  for (const p of pages ?? []) for (const it of p.items) if (!seen.has(it.exception_id)) seen.add(it.exception_id), items.push(it);
  const last = pages?.[pages.length - 1];
  const hasMore = !!last?.next_cursor;
  const loadingMore = res.isValidating && res.size > (pages?.length ?? 0);
  return { ...res, items, hasMore, loadingMore, loadMore: () => void res.setSize(res.size + 1) };
}
