'use client';
import { usePathname, useSearchParams } from 'next/navigation';
import { useCallback, useMemo } from 'react';
import { isValidTimeZone, resolveRange, type ResolvedRange } from '@/lib/format/time';
import { useLive } from './live';

/** Params every page shares; nav links carry them so a view stays shareable across pages. */
export const GLOBAL_KEYS = ['preset', 'from', 'to', 'warehouse', 'tz'] as const;

export type Patch = Record<string, string | readonly string[] | null | undefined>;

/**
 * URL search params as state. Writes go through the History API, which the App Router observes,
 * so filters update without a server round trip.
 */
export function useQueryState() {
  const sp = useSearchParams();
  const pathname = usePathname();
  const set = useCallback(
    (patch: Patch, opts: { replace?: boolean } = {}) => {
      const next = new URLSearchParams(sp.toString());
      for (const [k, v] of Object.entries(patch)) {
        next.delete(k);
        if (v === null || v === undefined || v === '') continue;
        if (typeof v === 'string') next.set(k, v);
        else for (const item of v) next.append(k, item);
      }
      const qs = next.toString();
      const url = qs ? `${pathname}?${qs}` : pathname;
      if (opts.replace) window.history.replaceState(null, '', url);
      else window.history.pushState(null, '', url);
    },
    [sp, pathname],
  );
  return { params: sp, get: (k: string) => sp.get(k), getAll: (k: string) => sp.getAll(k), set };
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export interface RangeState extends ResolvedRange {
  fromIso: string;
  toIso: string;
  tz: string;
}

/** The selected window (preset windows slide with the live clock) and display time zone. */
export function useRange(): RangeState {
  const sp = useSearchParams();
  const { now } = useLive();
  const preset = sp.get('preset');
  const from = sp.get('from');
  const to = sp.get('to');
  const tzParam = sp.get('tz');
  return useMemo(() => {
    const r = resolveRange({ preset, from, to }, now);
    const tz = isValidTimeZone(tzParam) ? tzParam : browserTimeZone();
    return { ...r, fromIso: new Date(r.from).toISOString(), toIso: new Date(r.to).toISOString(), tz };
  }, [preset, from, to, tzParam, now]);
}

/** Warehouses chosen in the header filter (empty = all in scope). */
export function useWarehouses(): string[] {
  const sp = useSearchParams();
  const key = sp.getAll('warehouse').join('\u0000');
  return useMemo(() => (key ? key.split('\u0000') : []), [key]);
}

/** href keeping the shared params (range, warehouses, tz), dropping page-specific ones. */
export function useGlobalHref(): (path: string, extra?: Patch) => string {
  const sp = useSearchParams();
  return useCallback(
    (path: string, extra: Patch = {}) => {
      const next = new URLSearchParams();
      for (const k of GLOBAL_KEYS) for (const v of sp.getAll(k)) next.append(k, v);
      for (const [k, v] of Object.entries(extra)) {
        next.delete(k);
        if (v === null || v === undefined || v === '') continue;
        if (typeof v === 'string') next.set(k, v);
        else for (const item of v) next.append(k, item);
      }
      const qs = next.toString();
      return qs ? `${path}?${qs}` : path;
    },
    [sp],
  );
}

/** Link target for one correlation. Dot segments cannot travel in a path, so those use the query form. */
export function correlationHref(id: string): string {
  return id === '' || id === '.' || id === '..' ? `/c?id=${encodeURIComponent(id)}` : `/c/${encodeURIComponent(id)}`;
}
