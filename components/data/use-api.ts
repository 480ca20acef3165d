'use client';
import useSWR, { type SWRConfiguration } from 'swr';
import { useLive } from '@/components/shell/live';
import { type ApiError, fetchJson } from './fetcher';

/** SWR over the API with the shared live-refresh interval; null key = don't fetch yet. */
export function useApi<T>(url: string | null, opts: { live?: boolean } & Pick<SWRConfiguration, 'keepPreviousData'> = {}) {
  const { refreshInterval } = useLive();
  return useSWR<T, ApiError>(url, fetchJson<T>, {
    refreshInterval: opts.live === false ? 0 : refreshInterval,
    keepPreviousData: opts.keepPreviousData ?? true,
    revalidateOnFocus: false,
    onErrorRetry: (err, _key, _config, revalidate, { retryCount }) => {
      // 4xx answers will not change by asking again; 5xx/429/network get a few spaced retries.
      if (err.status >= 400 && err.status < 500 && err.status !== 429) return;
      if (retryCount >= 4) return;
      window.setTimeout(() => void revalidate({ retryCount }), Math.min(30_000, 2_000 * 2 ** retryCount));
    },
  });
}
