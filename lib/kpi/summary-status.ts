import type { TowerConfig } from '@/lib/config/slo';

/** metrics.md §7 status rules, kept apart from the queries so they read like the spec. */
export type Status = 'ok' | 'warn' | 'breach';
export const SUMMARY_KEYS = [
  'sync_lag_p95',
  'failure_rate',
  'open_exceptions_critical',
  'invoice_latency_p95',
  'unposted_amount',
  'drift_value',
  'close_status',
  'transactions_overdue',
] as const;
export type SummaryKey = (typeof SUMMARY_KEYS)[number];

export type CloseStatus = 'ready' | 'at_risk' | 'blocked';

/** Everything the statuses need for one scope (a warehouse or the total), at one window. */
export interface Figures {
  sync_lag_p95: number | null;
  failure_rate: number;
  open_exceptions_critical: number;
  invoice_latency_p95: number | null;
  unposted_amount: number;
  /** Oldest unposted shipment's age at as_of, seconds (null when none). */
  unposted_oldest_age: number | null;
  unposted_count: number;
  drift_value: number;
  close_status: CloseStatus;
  /** metrics.md §8 at `to`, all workflows: overdue transactions and their overdue amount. */
  transactions_overdue: number;
  transactions_overdue_amount: number;
}

const atOrAbove = (v: number | null, t: { warn: number; breach: number }): Status =>
  v === null ? 'ok' : v >= t.breach ? 'breach' : v >= t.warn ? 'warn' : 'ok';

export function statusOf(key: SummaryKey, f: Figures, cfg: TowerConfig): Status {
  const s = cfg.summary;
  switch (key) {
    case 'sync_lag_p95':
      return atOrAbove(f.sync_lag_p95, s.sync_lag_p95);
    case 'failure_rate':
      return atOrAbove(f.failure_rate, s.failure_rate);
    case 'open_exceptions_critical':
      return atOrAbove(f.open_exceptions_critical, s.open_exceptions_critical);
    case 'invoice_latency_p95':
      return atOrAbove(f.invoice_latency_p95, s.invoice_latency_p95);
    case 'unposted_amount':
      // "> 0 / any unposted shipment older than the posting SLO"
      if (f.unposted_oldest_age !== null && f.unposted_oldest_age > cfg.slo.posting_seconds) return 'breach';
      return f.unposted_amount > 0 || f.unposted_count > 0 ? 'warn' : 'ok';
    case 'drift_value':
      return atOrAbove(f.drift_value, s.drift_value);
    case 'close_status':
      return f.close_status === 'blocked' ? 'breach' : f.close_status === 'at_risk' ? 'warn' : 'ok';
    case 'transactions_overdue':
      return atOrAbove(f.transactions_overdue, s.transactions_overdue);
  }
}

export function valueOf(key: SummaryKey, f: Figures): number | string | null {
  return key === 'close_status' ? f.close_status : f[key];
}
