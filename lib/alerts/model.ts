import { z } from 'zod';
import { env } from '@/lib/config/env';
import { SEVERITIES } from '@/lib/events';
import { GROUP_FIELDS, type GroupField, type Rule } from './rules';

/** A group: exactly the rule's group_by fields, in canonical order; null where the population lacks the field. */
export type Group = Partial<Record<GroupField, string | null>>;

export const groupSchema = z
  .object({
    warehouse_id: z.string().nullable().optional(),
    source_system: z.string().nullable().optional(),
    target_system: z.string().nullable().optional(),
    interface: z.string().nullable().optional(),
  })
  .strict();

/** The webhook body, field for field as alerts.md prints it (key order included). */
export const alertBody = z.object({
  status: z.enum(['firing', 'resolved']),
  rule_id: z.string(),
  severity: z.enum(SEVERITIES),
  group: groupSchema,
  metric: z.string(),
  /** null only for a resolved alert whose population is empty now (nothing left to measure). */
  value: z.number().nullable(),
  threshold: z.number(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  dashboard_url: z.string(),
});
export type AlertBody = z.infer<typeof alertBody>;

/** Canonical group identity: field order fixed by GROUP_FIELDS, so equal groups always share a key. */
export function groupKey(group: Group): string {
  const ordered: Group = {};
  for (const f of GROUP_FIELDS) if (f in group) ordered[f] = group[f] ?? null;
  return JSON.stringify(ordered);
}

export const metricOf = (rule: Rule): string => (rule.kind === 'threshold' ? rule.metric : 'silence_seconds');
export const thresholdOf = (rule: Rule): number => (rule.kind === 'threshold' ? rule.value : rule.max_silence_s);

/** `null` means "no warehouse": such groups are visible only to callers who see every warehouse. */
export const groupWarehouse = (group: Group): string | null => group.warehouse_id ?? null;

function dashboardBase(): string {
  const e = env();
  const base = e.CT_DASHBOARD_URL ?? e.NEXTAUTH_URL ?? `http://localhost:${e.PORT}`;
  return base.replace(/\/+$/, '');
}

const FRESHNESS_PAGE: [RegExp, string][] = [
  [/^sync\./, '/sync'],
  [/^exception\./, '/exceptions'],
  [/^(shipment|invoice)\./, '/invoices'],
  [/^inventory\.snapshot$/, '/drift'],
];

function pageOf(rule: Rule): string {
  if (rule.kind === 'freshness') return FRESHNESS_PAGE.find(([re]) => re.test(rule.event_type))?.[1] ?? '/';
  switch (rule.metric) {
    case 'sync_lag_p95':
    case 'sync_failure_rate':
    case 'sync_messages':
      return '/sync';
    case 'open_exceptions':
    case 'open_exceptions_critical':
      return '/exceptions';
    case 'invoice_latency_p95':
    case 'unposted_count':
      return '/invoices';
    case 'drift_value':
      return '/drift';
  }
}

/**
 * The dashboard view of one group: the page for the metric, filtered to the group's warehouse (the
 * dashboard's shared `warehouse` filter) and carrying the other group fields, URL-encoded.
 */
export function dashboardUrl(rule: Rule, group: Group): string {
  const qs = new URLSearchParams();
  for (const f of GROUP_FIELDS) {
    const v = group[f];
    if (typeof v === 'string') qs.append(f === 'warehouse_id' ? 'warehouse' : f, v);
  }
  if (rule.kind === 'threshold' && rule.metric === 'open_exceptions_critical') qs.append('severity', 'critical');
  const s = qs.toString();
  return `${dashboardBase()}${pageOf(rule)}${s ? `?${s}` : ''}`;
}

export const iso = (ms: number): string => new Date(ms).toISOString();
