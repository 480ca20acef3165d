'use client';
import useSWR from 'swr';
import type { ConfigResponse } from '@/lib/config/slo';
import { type ApiError, fetchJson } from './fetcher';

export const CONFIG_PATH = '/api/v1/config';

/**
 * The server's SLOs and summary thresholds (GET /api/v1/config), so every line drawn and every row
 * coloured uses what the API uses. Fetched once per page load and shared by every caller (they change
 * only with a restart); undefined until it arrives, and then nothing is drawn against a guessed default.
 */
export function useConfig(): ConfigResponse | undefined {
  const { data } = useSWR<ConfigResponse, ApiError>(CONFIG_PATH, fetchJson<ConfigResponse>, {
    revalidateIfStale: false,
    revalidateOnFocus: false,
    revalidateOnReconnect: false,
  });
  return data;
}
