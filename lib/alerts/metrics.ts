import { z } from 'zod';
import { loadConfig } from '@/lib/config/slo';
import { exceptionAging } from '@/lib/kpi/exception-aging';
import { invoiceLatency } from '@/lib/kpi/invoice-latency';
import { driftPairs } from '@/lib/kpi/drift';
import { aggregateCells, cellAggregateRow, LAG_PERCENTS, syncCells } from '@/lib/kpi/sync-cells';
import { unpostedShipments } from '@/lib/kpi/unposted';
import type { QueryScope } from '@/lib/scope';
import { empty, join, p, query, sql, type Sql } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { groupKey, type Group } from './model';
import { GROUP_FIELDS, type FreshnessRule, type GroupField, type Rule, type ThresholdRule } from './rules';

/** One group's current value; `value` null = empty population (never breaches, alerts.md). */
export interface GroupValue {
  group: Group;
  key: string;
  value: number | null;
}

/** How a population exposes each group field; null = the population does not have it (groups as null). */
type Columns = Record<GroupField, Sql | null>;

const NULL_STR = sql`CAST(NULL, 'Nullable(String)')`;
// Aliases come from this fixed map (a closed union), never from rule text.
const ALIAS: Record<GroupField, Sql> = {
  warehouse_id: sql`g_warehouse_id`,
  source_system: sql`g_source_system`,
  target_system: sql`g_target_system`,
  interface: sql`g_interface`,
};

/** Columns of events-shaped rows (the sync population, raw events for freshness). */
const EVENT_COLUMNS: Columns = {
  warehouse_id: sql`toString(warehouse_id)`,
  source_system: sql`toString(source_system)`,
  // events.md stores an absent target as '': that is "the event does not have it".
  target_system: sql`nullIf(toString(target_system), '')`,
  interface: sql`CAST(interface, 'Nullable(String)')`,
};

/** `SELECT` list, `WHERE` condition and `GROUP BY` for a rule over a population with these columns. */
function shape(rule: Rule, cols: Columns): { select: Sql; selects: Sql[]; aliases: Sql[]; where: Sql; groupBy: Sql } {
  const selects = rule.group_by.map((f) => sql`${cols[f] ?? NULL_STR} AS ${ALIAS[f]}`);
  const conds = GROUP_FIELDS.flatMap((f) => {
    const wanted = rule.match[f];
    if (!wanted) return [];
    const col = cols[f];
    // match never matches null: a population without the field matches nothing.
    return [col === null ? sql`0` : sql`${col} IN ${p.strs(wanted)}`];
  });
  return {
    select: selects.length ? sql`${join(selects, ', ')},` : empty,
    selects,
    aliases: rule.group_by.map((f) => ALIAS[f]),
    where: conds.length ? join(conds, ' AND ') : sql`1`,
    groupBy: rule.group_by.length ? sql`GROUP BY ${join(rule.group_by.map((f) => ALIAS[f]), ', ')}` : empty,
  };
}

const groupCols = z.object({
  g_warehouse_id: z.string().nullable().optional(),
  g_source_system: z.string().nullable().optional(),
  g_target_system: z.string().nullable().optional(),
  g_interface: z.string().nullable().optional(),
});
type GroupCols = z.infer<typeof groupCols>;

function groupOf(rule: Rule, r: GroupCols): Group {
  const g: Group = {};
  for (const f of rule.group_by) g[f] = r[`g_${f}`] ?? null;
  return g;
}

const gv = (rule: Rule, group: Group, value: number | null): GroupValue => ({ group, key: groupKey(group), value });

/** Evaluation sees every warehouse, narrowed by `match.warehouse_id` so the KPI queries prune early. */
const scopeFor = (rule: Rule): QueryScope => ({ warehouses: rule.match.warehouse_id ?? null });

const syncRow = groupCols.merge(cellAggregateRow);

async function syncValues(rule: ThresholdRule, now: number, windowS: number): Promise<GroupValue[]> {
  const { selects, aliases, where } = shape(rule, EVENT_COLUMNS);
  const sloMs = loadConfig().slo.sync_lag_seconds * 1000;
  const q = aggregateCells(await syncCells(scopeFor(rule), now - windowS * 1000, now, sloMs), {
    select: selects,
    keys: aliases,
    sets: aliases.length ? [aliases] : [],
    where,
  });
  const rows = await query(q, syncRow, { name: 'alerts.sync' });
  return rows.map((r) => {
    const value =
      rule.metric === 'sync_lag_p95' ? (r.delivered > 0 ? (r.q_ms[LAG_PERCENTS.indexOf(95)] ?? 0) / 1000 : null)
      : r.messages === 0 ? null
      : rule.metric === 'sync_failure_rate' ? (r.failed + r.dead_lettered) / r.messages
      : r.messages;
    return gv(rule, groupOf(rule, r), value);
  });
}

const countRow = groupCols.extend({ n: z.number(), v: z.number() });

/** Point-in-time populations with an exported SQL fragment: unposted shipments and drift pairs. */
async function fragmentValues(rule: ThresholdRule, now: number): Promise<GroupValue[]> {
  const NONE = { source_system: null, target_system: null, interface: null };
  const q =
    rule.metric === 'unposted_count'
      ? (() => {
          const { select, where, groupBy } = shape(rule, { warehouse_id: sql`shipped_warehouse`, ...NONE });
          return sql`SELECT ${select} count() AS n, toFloat64(n) AS v FROM (${unpostedShipments(now)}) WHERE ${where} ${groupBy}`;
        })()
      : (() => {
          const { select, where, groupBy } = shape(rule, { warehouse_id: sql`warehouse_id`, ...NONE });
          // The drift KPI's own aggregate: Σ value in Decimal, rounded once to cents.
          return sql`SELECT ${select} count() AS n, toFloat64(round(sum(value), 2)) AS v
            FROM (${driftPairs(scopeFor(rule), now)}) WHERE ${where} ${groupBy}`;
        })();
  const rows = await query(q, countRow, { name: `alerts.${rule.metric}` });
  return rows.map((r) => gv(rule, groupOf(rule, r), r.n > 0 ? r.v : null));
}

/**
 * Metrics whose population has no exported fragment yet (open exceptions, invoice latency): the KPI's
 * public function, per warehouse or its total. Their populations carry only `warehouse_id`.
 */
async function kpiValues(rule: ThresholdRule, now: number, windowS: number): Promise<GroupValue[]> {
  const others = GROUP_FIELDS.filter((f) => f !== 'warehouse_id');
  if (others.some((f) => rule.match[f])) return [];
  const scope = scopeFor(rule);
  type Row = { warehouse_id?: string; value: number | null };
  let total: Row;
  let rows: Row[];
  if (rule.metric === 'invoice_latency_p95') {
    const r = await invoiceLatency(scope, { from: now - windowS * 1000, to: now, asOf: now, requested: [] });
    total = { value: r.total.latency_seconds.p95 };
    rows = r.warehouses.map((w) => ({ warehouse_id: w.warehouse_id, value: w.latency_seconds.p95 }));
  } else {
    const critical = rule.metric === 'open_exceptions_critical';
    const r = await exceptionAging(scope, { asOf: now, requested: [] });
    const pick = (x: { open: number; by_severity: { critical: number } }) => {
      const n = critical ? x.by_severity.critical : x.open;
      return n > 0 ? n : null;
    };
    total = { value: pick(r.total) };
    rows = r.warehouses.map((w) => ({ warehouse_id: w.warehouse_id, value: pick(w) }));
  }
  const grouped = rule.group_by.includes('warehouse_id') ? rows : [total];
  return grouped.map((r) => {
    const g: Group = {};
    for (const f of rule.group_by) g[f] = f === 'warehouse_id' ? (r.warehouse_id ?? null) : null;
    return gv(rule, g, r.value);
  });
}

const DAY_MS = 86_400_000;
const freshRow = groupCols.extend({ n: z.number(), last_ms: z.number() });

/** alerts.md freshness: by ingest time; groups seen in the last 7 days, value = seconds since the last event. */
async function freshnessValues(rule: FreshnessRule, now: number): Promise<GroupValue[]> {
  const { select, where, groupBy } = shape(rule, EVENT_COLUMNS);
  const scope = rule.match.warehouse_id ? sql`warehouse_id IN ${p.strs(rule.match.warehouse_id)}` : sql`1`;
  const q = sql`SELECT ${select} count() AS n, toUnixTimestamp64Milli(max(ingested_at)) AS last_ms
    FROM events
    WHERE type = ${p.str(rule.event_type)} AND ingested_at >= ${p.time(now - 7 * DAY_MS)} AND ingested_at <= ${p.time(now)}
      AND ${scope} AND ${where}
    ${groupBy}`;
  const rows = await query(q, freshRow, { name: 'alerts.freshness' });
  return rows.map((r) => gv(rule, groupOf(rule, r), r.n > 0 ? Math.max(0, now - r.last_ms) / 1000 : null));
}

/** Every group's current value for one rule at `now`, computed by the KPI modules' own SQL. */
export function ruleValues(rule: Rule, now: number): Promise<GroupValue[]> {
  return withSpan('alerts.rule_values', { 'alert.rule': rule.id }, async () => {
    if (rule.kind === 'freshness') return freshnessValues(rule, now);
    const windowS = rule.window_s ?? 0;
    switch (rule.metric) {
      case 'sync_lag_p95':
      case 'sync_failure_rate':
      case 'sync_messages':
        return syncValues(rule, now, windowS);
      case 'unposted_count':
      case 'drift_value':
        return fragmentValues(rule, now);
      case 'open_exceptions':
      case 'open_exceptions_critical':
      case 'invoice_latency_p95':
        return kpiValues(rule, now, windowS);
    }
  });
}

/** Does a value breach? Empty populations never do. */
export function breaches(op: '>' | '>=' | '<' | '<=', value: number | null, threshold: number): boolean {
  if (value === null || !Number.isFinite(value)) return false;
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
  }
}
