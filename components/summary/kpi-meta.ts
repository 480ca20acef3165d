import type { CloseStatus, Status, SummaryKey } from '@/components/data/types';
import type { Tone } from '@/components/ui/StatusBadge';
import { formatDuration, formatDurationChange } from '@/lib/format/duration';
import { formatMoney, formatMoneyChange, formatNumber, formatNumberChange, formatPercent, formatPercentPointChange } from '@/lib/format/number';

export type KpiKind = 'duration' | 'ratio' | 'count' | 'money' | 'status';

export const KPI_ORDER: readonly SummaryKey[] = [
  'sync_lag_p95',
  'failure_rate',
  'open_exceptions_critical',
  'invoice_latency_p95',
  'unposted_amount',
  'drift_value',
  'close_status',
  'transactions_overdue',
];

export const KPI_META: Record<SummaryKey, { label: string; short: string; kind: KpiKind; page: string; extra?: Record<string, string> }> = {
  sync_lag_p95: { label: 'Sync lag p95', short: 'Lag p95', kind: 'duration', page: '/sync' },
  failure_rate: { label: 'Failure rate', short: 'Failures', kind: 'ratio', page: '/sync' },
  open_exceptions_critical: { label: 'Open critical exceptions', short: 'Critical exc.', kind: 'count', page: '/exceptions', extra: { severity: 'critical' } },
  invoice_latency_p95: { label: 'Invoice latency p95', short: 'Invoice p95', kind: 'duration', page: '/invoices' },
  unposted_amount: { label: 'Unposted value', short: 'Unposted', kind: 'money', page: '/invoices' },
  drift_value: { label: 'Inventory drift value', short: 'Drift', kind: 'money', page: '/drift' },
  close_status: { label: 'Close status', short: 'Close', kind: 'status', page: '/close' },
  transactions_overdue: { label: 'Transactions overdue', short: 'Overdue tx', kind: 'count', page: '/flow' },
};

const CLOSE_TEXT: Record<CloseStatus, string> = { ready: 'Ready', at_risk: 'At risk', blocked: 'Blocked' };
const CLOSE_RANK: Record<CloseStatus, number> = { ready: 0, at_risk: 1, blocked: 2 };
const isClose = (v: unknown): v is CloseStatus => v === 'ready' || v === 'at_risk' || v === 'blocked';

export function formatKpiValue(kind: KpiKind, v: number | string | null | undefined, opts: { compact?: boolean } = {}): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return isClose(v) ? CLOSE_TEXT[v] : v;
  switch (kind) {
    case 'duration':
      return formatDuration(v);
    case 'ratio':
      return formatPercent(v);
    case 'money':
      return formatMoney(v, 'USD', { compact: opts.compact ?? false });
    default:
      return formatNumber(v);
  }
}

export function formatKpiChange(kind: KpiKind, change: number | null | undefined): string | undefined {
  if (change === null || change === undefined || kind === 'status') return undefined;
  switch (kind) {
    case 'duration':
      return formatDurationChange(change);
    case 'ratio':
      return formatPercentPointChange(change);
    case 'money':
      return formatMoneyChange(change);
    default:
      return formatNumberChange(change);
  }
}

/** Every summary KPI is "lower is better", close status included. */
export function changeTone(kind: KpiKind, value: unknown, previous: unknown, change: number | null | undefined): 'good' | 'bad' | 'flat' {
  if (kind === 'status') {
    if (!isClose(value) || !isClose(previous)) return 'flat';
    const d = CLOSE_RANK[value] - CLOSE_RANK[previous];
    return d > 0 ? 'bad' : d < 0 ? 'good' : 'flat';
  }
  if (change === null || change === undefined || change === 0) return 'flat';
  return change > 0 ? 'bad' : 'good';
}

export const statusTone = (s: Status | undefined): Tone => s ?? 'neutral';

/** The tile caption for close status: "was At risk" instead of a numeric change. */
export function previousCloseText(previous: unknown): string | undefined {
  return isClose(previous) ? `previous window: ${CLOSE_TEXT[previous]}` : undefined;
}
