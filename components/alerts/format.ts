import { formatDuration } from '@/lib/format/duration';
import { formatMoney, formatNumber, formatPercent } from '@/lib/format/number';
import type { AlertGroup, AlertRule, GroupField } from './types';

const FIELD_LABEL: Record<GroupField, string> = {
  warehouse_id: 'warehouse',
  source_system: 'source',
  target_system: 'target',
  interface: 'interface',
};
const FIELDS: readonly GroupField[] = ['warehouse_id', 'source_system', 'target_system', 'interface'];

/** A metric's value the way the rest of the dashboard shows that unit. */
export function formatMetric(metric: string, v: number | null): string {
  if (v === null) return 'no data';
  switch (metric) {
    case 'sync_lag_p95':
    case 'invoice_latency_p95':
    case 'silence_seconds':
      return formatDuration(v);
    case 'sync_failure_rate':
      return formatPercent(v);
    case 'drift_value':
      return formatMoney(v);
    default:
      return formatNumber(v);
  }
}

export const METRIC_LABEL: Record<string, string> = {
  sync_lag_p95: 'Sync lag p95',
  sync_failure_rate: 'Sync failure rate',
  sync_messages: 'Sync messages',
  open_exceptions: 'Open exceptions',
  open_exceptions_critical: 'Open critical exceptions',
  invoice_latency_p95: 'Invoice latency p95',
  unposted_count: 'Unposted shipments',
  drift_value: 'Drift value',
  silence_seconds: 'No data for',
};

/** "warehouse DC-DAL · source WMS"; a global group reads "all". */
export function groupLabel(group: AlertGroup): string {
  const parts = FIELDS.filter((f) => f in group).map((f) => `${FIELD_LABEL[f]} ${group[f] ?? '(none)'}`);
  return parts.length ? parts.join(' · ') : 'all';
}

export const groupId = (ruleId: string, group: AlertGroup): string =>
  `${ruleId}|${FIELDS.filter((f) => f in group).map((f) => `${f}=${group[f] ?? ''}`).join('&')}`;

/** "sync_lag_p95 > 5 m over 15 m" / "sync.message silent > 30 m". */
export function ruleCondition(r: AlertRule): string {
  if (r.kind === 'freshness') return `${r.event_type ?? '?'} silent > ${formatDuration(r.max_silence_s ?? null)}`;
  const metric = r.metric ?? '?';
  const window = r.window_s ? ` over ${formatDuration(r.window_s)}` : '';
  return `${METRIC_LABEL[metric] ?? metric} ${r.op ?? '>'} ${formatMetric(metric, r.value ?? null)}${window}`;
}
