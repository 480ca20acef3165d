import { z } from 'zod';
import { loadConfig } from '@/lib/config/slo';
import type { QueryScope } from '@/lib/scope';
import { p, query, sql, type Sql } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { assemble, listWarehouses, nullableNumber, ratio, scopeFilter } from './common';

/** metrics.md §1. Population: sync.message with observed_at in [from, to); lag over delivered only. */
export const syncLagParams = z.object({ from: z.number(), to: z.number(), requested: z.array(z.string()) });
export type SyncLagParams = z.infer<typeof syncLagParams>;

const row = z.object({
  warehouse_id: z.string(),
  is_total: z.number(),
  messages: z.number(),
  delivered: z.number(),
  failed: z.number(),
  retried: z.number(),
  dead_lettered: z.number(),
  p50: nullableNumber,
  p95: nullableNumber,
  p99: nullableNumber,
  max: nullableNumber,
  breaches: z.number(),
});

export const syncLagRow = z.object({
  messages: z.number(),
  delivered: z.number(),
  failed: z.number(),
  retried: z.number(),
  dead_lettered: z.number(),
  failure_rate: z.number(),
  slo_breach_rate: z.number(),
  lag_seconds: z.object({ p50: nullableNumber, p95: nullableNumber, p99: nullableNumber, max: nullableNumber }),
});
export type SyncLagRow = z.infer<typeof syncLagRow>;

export const syncLagResponse = z.object({
  from: z.string(),
  to: z.string(),
  total: syncLagRow,
  warehouses: z.array(syncLagRow.extend({ warehouse_id: z.string() })),
});
export type SyncLagResponse = z.infer<typeof syncLagResponse>;

const zero = (): SyncLagRow => ({
  messages: 0,
  delivered: 0,
  failed: 0,
  retried: 0,
  dead_lettered: 0,
  failure_rate: 0,
  slo_breach_rate: 0,
  lag_seconds: { p50: null, p95: null, p99: null, max: null },
});

function toRow(r: z.infer<typeof row>): SyncLagRow {
  const has = r.delivered > 0;
  return {
    messages: r.messages,
    delivered: r.delivered,
    failed: r.failed,
    retried: r.retried,
    dead_lettered: r.dead_lettered,
    failure_rate: ratio(r.failed + r.dead_lettered, r.messages),
    slo_breach_rate: ratio(r.breaches, r.delivered),
    lag_seconds: { p50: has ? r.p50 : null, p95: has ? r.p95 : null, p99: has ? r.p99 : null, max: has ? r.max : null },
  };
}

/**
 * The population of metrics.md §1 with every grouping field alerts may use. Exported so that other
 * consumers (alerts, rollup checks) group the same rows with the same aggregates instead of new SQL.
 */
export function syncPopulation(scope: QueryScope, from: number, to: number): Sql {
  return sql`
    SELECT warehouse_id, source_system, target_system, interface, status,
           toInt64(dateDiff('millisecond', occurred_at, observed_at)) AS lag_ms
    FROM events
    WHERE type = 'sync.message' AND observed_at >= ${p.time(from)} AND observed_at < ${p.time(to)} AND ${scopeFilter(scope)}`;
}

/**
 * Aggregates over syncPopulation rows; exact quantiles stay within metrics.md's 1/n rank tolerance.
 * One quantilesExact state for the three levels: it collects the lags once, not once per level.
 */
export function syncAggregates(sloMs: number): Sql {
  return sql`
    count() AS messages,
    countIf(status = 'delivered') AS delivered,
    countIf(status = 'failed') AS failed,
    countIf(status = 'retried') AS retried,
    countIf(status = 'dead_lettered') AS dead_lettered,
    quantilesExactIf(0.5, 0.95, 0.99)(lag_ms, status = 'delivered') AS lag_levels,
    if(delivered = 0, NULL, lag_levels[1] / 1000) AS p50,
    if(delivered = 0, NULL, lag_levels[2] / 1000) AS p95,
    if(delivered = 0, NULL, lag_levels[3] / 1000) AS p99,
    if(delivered = 0, NULL, maxIf(lag_ms, status = 'delivered') / 1000) AS max,
    countIf(status = 'delivered' AND lag_ms > ${p.i64(sloMs)}) AS breaches`;
}

export async function syncLag(scope: QueryScope, params: SyncLagParams): Promise<SyncLagResponse> {
  const { from, to, requested } = syncLagParams.parse(params);
  return withSpan('kpi.sync_lag', { 'kpi.warehouses': scope.warehouses?.length ?? -1 }, async () => {
    const sloMs = loadConfig().slo.sync_lag_seconds * 1000;
    const q = sql`
      SELECT toString(warehouse_id) AS warehouse_id, grouping(warehouse_id) AS is_total, ${syncAggregates(sloMs)}
      FROM (${syncPopulation(scope, from, to)})
      GROUP BY warehouse_id WITH ROLLUP`;
    const [rows, listed] = await Promise.all([
      query(q, row, { name: 'kpi.sync_lag' }),
      listWarehouses(scope, requested),
    ]);
    const byWh = new Map(rows.filter((r) => r.is_total === 0).map((r) => [r.warehouse_id, toRow(r)]));
    const totalRow = rows.find((r) => r.is_total === 1);
    const { total, warehouses } = assemble(listed, byWh, totalRow ? toRow(totalRow) : undefined, zero);
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), total, warehouses };
  });
}
