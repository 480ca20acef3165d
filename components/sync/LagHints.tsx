'use client';
import { apiUrl } from '@/components/data/fetcher';
import type { Status, SummaryResponse, SyncLagHint, SyncLagHintsResponse } from '@/components/data/types';
import { useApi } from '@/components/data/use-api';
import { formatPercent } from '@/lib/format/number';

export const HINTS_PATH = '/api/v1/kpi/sync-lag/hints';

/** GET …/sync-lag/hints for a window and warehouse filter (null: don't fetch yet). */
export function useLagHints(win: { from: string; to: string; warehouse: readonly string[] } | null) {
  return useApi<SyncLagHintsResponse>(win ? apiUrl(HINTS_PATH, win) : null);
}

/** One warehouse's hints out of a response ([] when it is not listed). */
export const hintsFor = (d: SyncLagHintsResponse | undefined, warehouse: string): SyncLagHint[] =>
  d?.warehouses.find((w) => w.warehouse_id === warehouse)?.hints ?? [];

/** Whether a warehouse's sync lag or failure rate is off target in the summary's heat row: then its hints matter. */
export function syncOffTarget(heat: SummaryResponse['heat'], warehouse: string): boolean {
  const k = heat.find((h) => h.warehouse_id === warehouse)?.kpis;
  const bad = (s: Status | undefined) => s === 'warn' || s === 'breach';
  return bad(k?.sync_lag_p95?.status) || bad(k?.failure_rate?.status);
}

/** "edi_810 ERP → EDI: 64 % of the over-SLO messages, failure rate 12 % (was 1 %)" (metrics.md §10). */
export function hintText(h: SyncLagHint): string {
  const route = `${h.interface ?? '(no interface)'} ${h.source_system} → ${h.target_system}`;
  const parts: string[] = [];
  if (h.share_over_slo > 0) parts.push(`${formatPercent(h.share_over_slo)} of the over-SLO messages`);
  if (h.failure_rate > 0 || h.previous_failure_rate > 0) parts.push(`failure rate ${formatPercent(h.failure_rate)} (was ${formatPercent(h.previous_failure_rate)})`);
  return parts.length ? `${route}: ${parts.join(', ')}` : route;
}

/** The suspects behind a warehouse's lag or failures, worst first, as a short list; nothing when none. */
export function LagHints({ hints, warehouse, className = '' }: { hints: readonly SyncLagHint[]; warehouse: string; className?: string }) {
  if (hints.length === 0) return null;
  return (
    <ul data-testid="lag-hints" aria-label={`Likely causes at ${warehouse}`} className={`space-y-0.5 text-xs ${className}`}>
      {hints.map((h) => (
        <li key={`${h.source_system}\u0000${h.target_system}\u0000${h.interface ?? ''}`} data-testid="lag-hint">
          <span aria-hidden="true">↳ </span>
          {hintText(h)}
        </li>
      ))}
    </ul>
  );
}
