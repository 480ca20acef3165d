'use client';
import { useCallback } from 'react';
import { useSWRConfig } from 'swr';
import { apiUrl, postJson } from '@/components/data/fetcher';
import { useApi } from '@/components/data/use-api';
import { ALERTS_PATH, type AlertGroup, type AlertsResponse, type AlertSilenceResult } from './types';

/** The alerts listing, optionally narrowed to the header's warehouses (the API checks the scope). */
export function useAlerts(warehouse: readonly string[] = []) {
  return useApi<AlertsResponse>(apiUrl(ALERTS_PATH, { warehouse }));
}

/** POSTs a silence (an `until` in the past lifts it) and refreshes every alerts view, the badge included. */
export function useSilence() {
  const { mutate } = useSWRConfig();
  return useCallback(
    async (ruleId: string, group: AlertGroup, until: Date): Promise<AlertSilenceResult> => {
      const res = await postJson<AlertSilenceResult>(`${ALERTS_PATH}/${encodeURIComponent(ruleId)}/silence`, { group, until: until.toISOString() });
      await mutate((key) => typeof key === 'string' && key.startsWith(ALERTS_PATH));
      return res;
    },
    [mutate],
  );
}
