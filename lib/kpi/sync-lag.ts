import { z } from 'zod';
import { loadConfig } from '@/lib/config/slo';
import type { QueryScope } from '@/lib/scope';
import { query, sql } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { assemble, listWarehouses, nullableNumber, ratio } from './common';
import { aggregateCells, cellAggregateRow, lagSeconds, syncCells, type CellAggregate } from './sync-cells';

/** metrics.md §1. Population: sync.message with observed_at in [from, to); lag over delivered only. */
export const syncLagParams = z.object({ from: z.number(), to: z.number(), requested: z.array(z.string()) });
export type SyncLagParams = z.infer<typeof syncLagParams>;

const row = cellAggregateRow.extend({ warehouse_id: z.string(), is_total: z.number() });

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

function toRow(r: CellAggregate): SyncLagRow {
  return {
    messages: r.messages,
    delivered: r.delivered,
    failed: r.failed,
    retried: r.retried,
    dead_lettered: r.dead_lettered,
    failure_rate: ratio(r.failed + r.dead_lettered, r.messages),
    slo_breach_rate: ratio(r.breaches, r.delivered),
    lag_seconds: lagSeconds(r),
  };
}

export async function syncLag(scope: QueryScope, params: SyncLagParams): Promise<SyncLagResponse> {
  const { from, to, requested } = syncLagParams.parse(params);
  return withSpan('kpi.sync_lag', { 'kpi.warehouses': scope.warehouses?.length ?? -1 }, async () => {
    const sloMs = loadConfig().slo.sync_lag_seconds * 1000;
    const q = aggregateCells(await syncCells(scope, from, to, sloMs, { warehouseOnly: true }), {
      select: [sql`warehouse_id`, sql`grouping(warehouse_id) AS is_total`],
      keys: [sql`warehouse_id`, sql`is_total`],
      sets: [[sql`warehouse_id`], []],
    });
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
