'use client';
import { apiUrl, LIST_LIMIT } from '@/components/data/fetcher';
import type { DriftCausesResponse, DriftSkusResponse } from '@/components/data/types';
import { useApi } from '@/components/data/use-api';
import { explainedSummary, type ExplainedSummary } from './causes';

/**
 * Drift causes at `asOf` with the SKU list that prices them (undefined: the API's default, now; null: wait,
 * e.g. for the close as_of).
 * The SKU list's URL is the one the drift tables use, so SWR fetches it once per page.
 */
export function useDriftCauses(asOf: string | null | undefined, warehouse: readonly string[], only?: string) {
  const params = { as_of: asOf ?? undefined, warehouse };
  const causes = useApi<DriftCausesResponse>(asOf === null ? null : apiUrl('/api/v1/kpi/drift/causes', params));
  const skus = useApi<DriftSkusResponse>(asOf === null ? null : apiUrl('/api/v1/kpi/drift/skus', { limit: LIST_LIMIT, ...params }));
  const summary: ExplainedSummary | null = causes.data && skus.data ? explainedSummary(causes.data, skus.data.items, only) : null;
  return { causes, skus, summary };
}
